"use client";
// A load balancer's HAProxy, server by server, as HAProxy's own stats page shows
// it: live from the stream (its agent reads `show stat` every second). Read-only
// for every role; the actions live on each node's page. Admin state joins what
// HAProxy applies now with what the console stored (put back after every reload).
import Link from "next/link";
import { useId } from "react";
import { DataTable } from "@/components/ui/table";
import { useLiveWindows } from "@/components/realtime/live-provider";
import { errorsText, requestsPerSecond, serverState, sinceText, toneClass } from "@/lib/metrics/haproxy-state";
import type { LoadBalancerPoint } from "@/lib/realtime/messages";

export type StoredOverride = { nodeName: string; kind: string; value: string; reason: string; expiresAt: string | null };

type Props = {
  loadBalancerId: string;
  /** Pool members by name: HAProxy's server names are the nodes' names. */
  nodes: { id: string; name: string }[];
  overrides: StoredOverride[];
};

const muted = (text: React.ReactNode) => <div className="muted">{text}</div>;
const adminWords = { READY: "Ready", DRAIN: "Drain", MAINT: "Maintenance" } as const;

function AdminState({ haproxy, stored }: { haproxy: keyof typeof adminWords; stored: StoredOverride[] }) {
  const state = stored.find((o) => o.kind === "state");
  return (
    <>
      <div>{adminWords[haproxy]}</div>
      {state &&
        muted(
          `stored: ${state.value}${state.reason ? ` (${state.reason})` : ""}${state.expiresAt ? `, until ${state.expiresAt.slice(0, 16).replace("T", " ")} UTC` : ""}`,
        )}
    </>
  );
}

function ServersTable({ point, nodes, overrides, label }: { point: LoadBalancerPoint; nodes: Props["nodes"]; overrides: StoredOverride[]; label: string }) {
  const nodeId = new Map(nodes.map((n) => [n.name, n.id]));
  return (
    <DataTable
      label={label}
      columns={["Server", "Backend", "State", "Last check", "Sessions now / max", "Requests", "Errors", "Weight", "Admin state"]}
      empty={point.servers.length === 0 ? "HAProxy reports no back-end servers." : undefined}
    >
      {point.servers.map((s) => {
        const state = serverState(s.status, s.adminState);
        const id = nodeId.get(s.name);
        const stored = overrides.filter((o) => o.nodeName === s.name);
        const storedWeight = stored.find((o) => o.kind === "weight");
        return (
          <tr key={`${s.backend}/${s.name}`} data-testid={`lb-server-${s.backend}-${s.name}`}>
            <th scope="row" style={{ textAlign: "left" }}>
              {id ? <Link href={`/nodes/${id}`}>{s.name}</Link> : s.name}
              {!id && muted("not in this pool")}
            </th>
            <td className="mono">{s.backend}</td>
            <td data-testid="server-state">
              <span className={`badge ${toneClass[state.tone]}`}>{state.word}</span>
              {state.detail && muted(state.detail)}
              {s.sinceChangeSeconds !== null && muted(`for ${sinceText(s.sinceChangeSeconds)}`)}
            </td>
            <td>
              {s.checkStatus ? (
                <>
                  <span className="mono">{s.checkStatus}</span>
                  {s.checkDurationMs !== null && ` in ${s.checkDurationMs} ms`}
                  {s.checkDetail && muted(s.checkDetail)}
                </>
              ) : (
                muted("no check")
              )}
            </td>
            <td className="mono">
              {s.sessions} / {s.maxSessions ?? "—"}
            </td>
            <td className="mono" data-testid="server-rate">
              {requestsPerSecond(s.requestRate)}
            </td>
            <td>{errorsText(s.errors)}</td>
            <td className="mono">
              {s.weight}
              {storedWeight && muted(`stored: ${storedWeight.value}`)}
            </td>
            <td>
              <AdminState haproxy={s.adminState} stored={stored} />
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

function TotalsTable({ point, label }: { point: LoadBalancerPoint; label: string }) {
  return (
    <DataTable label={label} columns={["Name", "Kind", "Status", "Sessions now / max", "Requests", "Errors", "Weight"]}>
      {point.frontends.map((f) => (
        <tr key={`fe/${f.name}`} data-testid={`lb-frontend-${f.name}`}>
          <th scope="row" className="mono" style={{ textAlign: "left" }}>
            {f.name}
          </th>
          <td>Frontend</td>
          <td>—</td>
          <td className="mono">
            {f.sessions} / {f.maxSessions ?? "—"}
          </td>
          <td className="mono" data-testid="frontend-rate">
            {requestsPerSecond(f.requestRate)}
          </td>
          <td>—</td>
          <td>—</td>
        </tr>
      ))}
      {point.backends.map((b) => {
        const state = serverState(b.status, "READY");
        return (
          <tr key={`be/${b.name}`} data-testid={`lb-backend-${b.name}`}>
            <th scope="row" className="mono" style={{ textAlign: "left" }}>
              {b.name}
            </th>
            <td>Backend</td>
            <td>
              <span className={`badge ${toneClass[state.tone]}`}>{state.word}</span>
            </td>
            <td className="mono">
              {b.sessions} / {b.maxSessions}
            </td>
            <td className="mono" data-testid="backend-rate">
              {requestsPerSecond(b.requestRate)}
            </td>
            <td>{errorsText(b.errors)}</td>
            <td className="mono">{b.weight}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}

export function HaproxyStats({ loadBalancerId, nodes, overrides }: Props) {
  const key = `LOAD_BALANCER:${loadBalancerId}`;
  const latest = useLiveWindows([key]).get(key)?.latest;
  const titleId = useId();
  const point = latest?.loadBalancer;
  return (
    <section className="stack" aria-labelledby={titleId} data-testid="haproxy-stats" data-reported-at={latest?.at}>
      <h2 id={titleId} style={{ margin: 0 }}>
        Servers
      </h2>
      <p className="muted" style={{ margin: 0 }}>
        What HAProxy reports through its agent, every second. Requests per second are the growth of each one&apos;s request counter between two reports: none
        (—) on the first report and right after a reload, which restarts HAProxy&apos;s counters. Errors count since HAProxy&apos;s last reload.
      </p>
      {!latest ? (
        <p className="muted" style={{ margin: 0 }}>
          No live report yet: its agent reports every second once it is connected.
        </p>
      ) : !point ? (
        <p style={{ margin: 0 }}>HAProxy&apos;s statistics are not available now: its agent cannot read them (see the health above).</p>
      ) : (
        <>
          <ServersTable point={point} nodes={nodes} overrides={overrides} label="Back-end servers" />
          {point.omitted > 0 && muted(`${point.omitted} more servers are not shown: the live stream carries what fits in one message.`)}
          <h3 style={{ margin: 0 }}>Frontends and backends</h3>
          <TotalsTable point={point} label="Frontend and backend totals" />
        </>
      )}
    </section>
  );
}
