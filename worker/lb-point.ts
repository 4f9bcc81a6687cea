// What a load balancer's page shows live of its HAProxy (lib/realtime/messages.ts
// loadBalancerPoint), cut from the agent's snapshot. A metric point travels in one
// PostgreSQL NOTIFY (under 8000 bytes), so a large pool is cut to what fits, and
// the page says how many servers it does not show.
import type { HaproxyStatus } from "@/lib/agent-protocol/types";
import type { LoadBalancerPoint } from "@/lib/realtime/messages";

/** Room left in a NOTIFY for the point's other fields and the message envelope. */
const BUDGET_BYTES = 6500;

/** Requests per second the load balancer's frontends receive; null when the agent has no figure (yet). */
export function frontendRequestRate(h: HaproxyStatus): number | null {
  const rates = h.frontends.map((f) => f.requestRate).filter((r): r is number => typeof r === "number");
  return rates.length > 0 ? rates.reduce((a, r) => a + r, 0) : null;
}

export function loadBalancerPointFrom(h: HaproxyStatus): LoadBalancerPoint {
  const point: LoadBalancerPoint = {
    servers: h.servers.slice(0, 200).map((s) => ({
      backend: s.backend,
      name: s.name,
      status: s.status,
      adminState: s.adminState,
      weight: s.weight,
      sessions: s.sessions,
      maxSessions: s.maxSessions ?? null,
      requestRate: s.requestRate ?? null,
      checkStatus: s.checkStatus,
      checkDurationMs: s.checkDurationMs ?? null,
      checkDetail: (s.checkDetail ?? "").slice(0, 120),
      sinceChangeSeconds: s.sinceChangeSeconds ?? null,
      errors: s.errors ?? null,
    })),
    backends: (h.backends ?? []).slice(0, 50),
    frontends: h.frontends
      .slice(0, 50)
      .map((f) => ({ name: f.name, sessions: f.sessions, maxSessions: f.maxSessions ?? null, requestRate: f.requestRate ?? null })),
    omitted: 0,
  };
  let bytes = Buffer.byteLength(JSON.stringify(point));
  while (bytes > BUDGET_BYTES && point.servers.length > 0) {
    bytes -= Buffer.byteLength(JSON.stringify(point.servers.pop())) + 1;
  }
  point.omitted = h.servers.length - point.servers.length;
  return point;
}
