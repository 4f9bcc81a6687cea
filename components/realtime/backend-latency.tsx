"use client";
// Which back-end is slow or down, as each app node sees it right now: the
// back-end probes of every node's latest live point, worst first.
import { useId } from "react";
import Link from "next/link";
import { StatusBadge } from "@/components/ui/badge";
import { formatMetric, utcDateTime } from "@/lib/metrics/format";
import type { MetricSeries } from "@/lib/metrics/schemas";
import type { LiveWindows } from "@/components/realtime/live-store";
import { useLiveStatus } from "@/components/realtime/live-provider";

/** `silent`: the node's agent reported since without probes (it does not answer): these are its last known. */
type Row = { nodeId: string; node: string; name: string; up: boolean; latencyMs: number | null; at: number; silent: boolean };

/** Older than this behind the freshest report, a node's probes are marked stale. */
const STALE_MS = 10_000;

export function backendRows(nodes: readonly MetricSeries[], windows: LiveWindows): Row[] {
  const rows: Row[] = [];
  for (const s of nodes) {
    const w = windows.get(s.key);
    const probed = w?.lastProbed;
    if (!probed) continue;
    const silent = !!w.latest && w.latest.at > probed.at && !w.latest.backends;
    for (const b of probed.backends ?? [])
      rows.push({ nodeId: s.subjectId, node: s.name, name: b.name, up: b.up, latencyMs: b.latencyMs, at: probed.at, silent });
  }
  // Down first, then the slowest; unknown latency last.
  return rows.sort((a, b) => Number(a.up) - Number(b.up) || (b.latencyMs ?? -1) - (a.latencyMs ?? -1) || a.node.localeCompare(b.node, "en"));
}

export function BackendLatency({
  nodes,
  windows,
  loading,
  title = "Back-ends seen from each node",
}: {
  nodes: readonly MetricSeries[];
  windows: LiveWindows;
  loading: boolean;
  title?: string;
}) {
  const status = useLiveStatus();
  const titleId = useId();
  const rows = backendRows(nodes, windows);
  const newest = rows.reduce((m, r) => Math.max(m, r.at), 0);
  const down = rows.filter((r) => !r.up);
  const slowest = rows.find((r) => r.up && r.latencyMs !== null);

  let body: React.ReactNode;
  if (loading) body = <div className="skeleton" style={{ height: 120 }} aria-hidden="true" />;
  else if (nodes.length === 0) body = <div className="card empty">No app nodes in the inventory yet.</div>;
  else if (rows.length === 0)
    body = (
      <div className="card empty">
        {status === "live"
          ? "Waiting for a live report with back-end probes — node agents report every second."
          : "No live reports: the live stream is not connected."}
      </div>
    );
  else
    body = (
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Back-end probes of each app node, down first, then slowest first</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Back-end</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">Reported</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const stale = r.silent || newest - r.at > STALE_MS;
              return (
                <tr key={`${r.nodeId}/${r.name}`} data-testid="backend-row">
                  <td>
                    <Link href={`/nodes/${encodeURIComponent(r.nodeId)}`}>{r.node}</Link>
                  </td>
                  <td className="mono">{r.name}</td>
                  <td>
                    <StatusBadge value={r.up ? "UP" : "DOWN"} />
                  </td>
                  <td className="mono">{formatMetric("latencyMs", r.latencyMs)}</td>
                  <td className={stale ? "" : "muted"}>
                    {utcDateTime(r.at)}
                    {stale && (
                      <span className="badge badge-warn" style={{ marginLeft: 6 }}>
                        stale
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );

  return (
    <section className="stack" aria-labelledby={titleId} style={{ gap: 8 }}>
      <h2 id={titleId} style={{ margin: 0 }}>
        {title}
      </h2>
      {rows.length > 0 && (
        <p className="muted" style={{ margin: 0 }}>
          {down.length > 0 ? `${down.length} back-end probe${down.length === 1 ? "" : "s"} down. ` : "Every back-end answers. "}
          {slowest && `Slowest: ${slowest.name} from ${slowest.node} (${formatMetric("latencyMs", slowest.latencyMs)}).`}
        </p>
      )}
      {body}
    </section>
  );
}
