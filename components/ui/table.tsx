// The table shell every list shares: a scrolling wrapper, the column headers
// in order, and the row saying why there are no rows.
import Link from "next/link";
import type { CSSProperties } from "react";

/** A row's name cell is its header for screen readers, but looks like an ordinary cell. */
export const rowHeader: CSSProperties = { background: "none", fontSize: "inherit", color: "inherit", fontWeight: 600 };

/**
 * A cell that may break lines (at spaces, else anywhere), so the row fits a
 * laptop screen before anyone scrolls sideways. The min-width includes the
 * padding (box-sizing is border-box).
 */
export const wrapCell = (minWidth: string) => ({ whiteSpace: "normal", overflowWrap: "anywhere", minWidth }) as const;

/** A header cell for a column of buttons: named for screen readers, blank on screen. */
export const actionsColumn = <span className="sr-only">Actions</span>;

export function DataTable({
  label,
  caption,
  busy,
  columns,
  empty,
  children,
}: {
  label?: string;
  /** Read by screen readers only. */
  caption?: string;
  busy?: boolean;
  /** The column headers in order; `false` leaves a column out. */
  columns: (React.ReactNode | false)[];
  /** Given when there are no rows: shown as the one row, across every column. */
  empty?: React.ReactNode;
  children: React.ReactNode;
}) {
  const shown = columns.filter((c) => c !== false);
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label} aria-busy={busy}>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {shown.map((column, i) => (
              <th key={i} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty && (
            <tr>
              <td colSpan={shown.length} className="empty">
                {empty}
              </td>
            </tr>
          )}
          {children}
        </tbody>
      </table>
    </div>
  );
}

/** The first cell of a row: the record's name, linking to its page. */
export function RowHeaderLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <th scope="row" style={rowHeader}>
      <Link href={href}>{children}</Link>
    </th>
  );
}
