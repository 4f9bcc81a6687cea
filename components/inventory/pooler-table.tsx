"use client";
// The connection poolers of a cluster (or every cluster): the inventory's row, with what
// each pooler's agent says now from the live stream (its last point): the health and
// why, each [databases] entry's target and whether it is paused, the clients holding
// a connection and those waiting, the longest wait and the pool mode. Until a point
// arrives (no agent, or not yet), the stored health stands alone.
import Link from "next/link";
import { StatusBadge } from "@/components/ui/badge";
import { DataTable, RowHeaderLink, wrapCell } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { PoolerView } from "@/lib/inventory/poolers";
import type { PoolerPoint } from "@/lib/realtime/messages";
import { useLiveWindows } from "@/components/realtime/live-provider";
import { address } from "@/components/inventory/labels";

type Row = Pick<PoolerView, "id" | "name" | "host" | "port" | "health" | "lastSeenAt" | "agentUrl" | "cluster">;

const unknown = <span className="muted">—</span>;
const count = (n: number | null | undefined) => (typeof n === "number" ? n.toLocaleString("en") : unknown);

export function PoolerTable({ items, label, showCluster = true }: { items: Row[]; label: string; showCluster?: boolean }) {
  const windows = useLiveWindows(items.map((p) => `POOLER:${p.id}`));
  return (
    <DataTable
      label={label}
      columns={["Name", showCluster && "Cluster", "Address", "Health", "Targets", "Clients active / waiting", "Max wait", "Pool mode", "Last seen"]}
    >
      {items.map((p) => {
        const latest = windows.get(`POOLER:${p.id}`)?.latest;
        const live: PoolerPoint | undefined = latest?.pooler;
        return (
          <tr key={p.id} data-testid={`pooler-${p.id}`}>
            <RowHeaderLink href={`/poolers/${p.id}`}>{p.name}</RowHeaderLink>
            {showCluster && (
              <td>
                <Link href={`/clusters/${p.cluster.id}`}>{p.cluster.name}</Link>
              </td>
            )}
            <td className="mono">{address(p.host, p.port)}</td>
            <td style={wrapCell("12rem")}>
              <StatusBadge value={latest?.health ?? p.health} />
              {live?.reasons.length ? <div className="muted">{live.reasons.join("; ")}</div> : null}
              {!p.agentUrl && <div className="muted">no agent: TCP probe only</div>}
            </td>
            <td>
              {live?.databases.length ? (
                <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
                  {live.databases.map((d) => (
                    <li key={d.name}>
                      <span className="mono">
                        {d.name} → {d.host && d.port ? address(d.host, d.port) : "?"}
                      </span>{" "}
                      {d.paused && <StatusBadge value="PAUSED" />}
                    </li>
                  ))}
                </ul>
              ) : (
                unknown
              )}
            </td>
            <td>
              {count(live?.clientsActive)} / {count(live?.clientsWaiting)}
            </td>
            <td>{typeof live?.maxWaitSeconds === "number" ? `${live.maxWaitSeconds.toFixed(1)} s` : unknown}</td>
            <td>{live?.poolMode ?? unknown}</td>
            <td>
              <Time value={latest ? new Date(latest.at) : p.lastSeenAt} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
