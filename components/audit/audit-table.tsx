import { Fragment } from "react";
import Link from "next/link";
import type { AuditEntry } from "@/lib/audit/schemas";
import { StatusBadge } from "@/components/ui/badge";
import { DataTable, wrapCell } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { words } from "@/components/audit/audit-query";

/** Target types that have a page of their own. */
const targetPages: Partial<Record<string, string>> = {
  NODE: "/nodes",
  LOAD_BALANCER: "/load-balancers",
  DATABASE: "/databases",
  POOLER: "/poolers",
  CLUSTER: "/clusters",
};

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

function Summary({ value }: { value: AuditEntry["summary"] }) {
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

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <DataTable
      caption="Audit trail, newest first"
      columns={["Time", "Actor", "Action", "Target", "Outcome", "Reason", "Request id", "Client IP", "Summary"]}
      empty={entries.length === 0 && "No audit entries match these filters."}
    >
      {entries.map((e) => (
        <tr key={String(e.id)} data-testid="audit-row">
          <td style={wrapCell("8em")}>
            <Time value={e.at} />
          </td>
          <td style={wrapCell("9em")}>
            <span className="stack" style={{ gap: 2 }}>
              <span>{e.actorLabel}</span>
              <span className="muted">{words(e.actorType)}</span>
            </span>
          </td>
          <td className="mono" style={{ whiteSpace: "normal" }}>
            <BreakAfterDots text={e.action} />
          </td>
          <td style={wrapCell("9em")}>
            <Target type={e.targetType} id={e.targetId} />
          </td>
          <td>
            <StatusBadge value={e.outcome} />
          </td>
          <td style={wrapCell("8em")}>{e.reason || <span className="muted">—</span>}</td>
          <td className="mono" style={wrapCell("10em")}>
            {e.requestId}
          </td>
          <td className="mono" style={wrapCell("8em")}>
            {e.clientIp || <span className="muted">—</span>}
          </td>
          <td>
            <Summary value={e.summary} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
