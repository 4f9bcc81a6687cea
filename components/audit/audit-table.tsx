import { Fragment } from "react";
import Link from "next/link";
import type { AuditView } from "@/lib/audit/trail";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

/** Target types that have a page of their own. */
const targetPages: Partial<Record<string, string>> = {
  NODE: "/nodes",
  LOAD_BALANCER: "/load-balancers",
  DATABASE: "/databases",
  CLUSTER: "/clusters",
};

// Cells that may break lines, so the row fits a laptop screen before anyone scrolls sideways
// (min-width includes the padding: box-sizing is border-box).
const wrap = (minWidth: string) => ({ whiteSpace: "normal", overflowWrap: "anywhere", minWidth }) as const;

const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

function Target({ type, id }: { type: string; id: string | null }) {
  const base = targetPages[type];
  return (
    <span className="stack" style={{ gap: 2 }}>
      <span>{words(type)}</span>
      {id &&
        (base ? (
          <Link className="mono" href={`${base}/${encodeURIComponent(id)}`}>
            {id}
          </Link>
        ) : (
          <span className="mono">{id}</span>
        ))}
    </span>
  );
}

/** "node.set-maintenance" may break after its dots (and at the hyphen), never mid-word. */
function BreakAfterDots({ text }: { text: string }) {
  return text.split(/(?<=\.)/).map((part, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}

function Summary({ value }: { value: AuditView["summary"] }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  // Rendered as text inside <pre>: whatever the JSON holds, it is never markup.
  return (
    <details>
      <summary>
        Show<span className="sr-only"> summary</span>
      </summary>
      <pre className="mono" style={{ margin: "6px 0 0", maxWidth: "min(36em, 50vw)", maxHeight: 320, overflow: "auto", whiteSpace: "pre" }}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </details>
  );
}

export function AuditTable({ entries }: { entries: AuditView[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Audit trail, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Reason</th>
            <th scope="col">Request id</th>
            <th scope="col">Client IP</th>
            <th scope="col">Summary</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={9} className="empty">
                No audit entries match these filters.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={String(e.id)} data-testid="audit-row">
              <td style={wrap("8em")}>
                <Time value={e.at} />
              </td>
              <td style={wrap("9em")}>
                <span className="stack" style={{ gap: 2 }}>
                  <span>{e.actorLabel}</span>
                  <span className="muted">{words(e.actorType)}</span>
                </span>
              </td>
              <td className="mono" style={{ whiteSpace: "normal" }}>
                <BreakAfterDots text={e.action} />
              </td>
              <td style={wrap("9em")}>
                <Target type={e.targetType} id={e.targetId} />
              </td>
              <td>
                <StatusBadge value={e.outcome} />
              </td>
              <td style={wrap("8em")}>
                {e.reason || <span className="muted">—</span>}
              </td>
              <td className="mono" style={wrap("10em")}>
                {e.requestId}
              </td>
              <td className="mono" style={wrap("8em")}>{e.clientIp || <span className="muted">—</span>}</td>
              <td>
                <Summary value={e.summary} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
