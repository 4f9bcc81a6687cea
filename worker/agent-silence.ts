// What a silent agent means for its subject (issue 16). An agent that does
// not answer says nothing about the service beside it: a hung or killed agent
// next to a working app is not an outage. So the worker asks someone else —
// the load balancer's health check of that server (from the HAProxy agent's
// latest snapshot), or its own TCP connect to the service's port — and
// publishes UNREACHABLE ("agent unreachable") while that evidence passes,
// DOWN once it fails too or when there is none to ask.
import type { Snapshot } from "@/lib/agent-protocol/types";

/** One independent observation of the service, in words an operator reads. */
export type Evidence = { source: string; passes: boolean; detail: string };

export type SilentVerdict = { observed: "UNREACHABLE" | "DOWN"; reasons: string[] };

/** The subject's health while its agent is silent: any passing evidence keeps it out of DOWN. */
export function judgeSilentAgent(agentReason: string, evidence: readonly Evidence[]): SilentVerdict {
  const passing = evidence.filter((e) => e.passes);
  if (passing.length > 0)
    return { observed: "UNREACHABLE", reasons: [`agent unreachable; ${passing.map((e) => e.source).join(", ")} still passes`, agentReason] };
  return { observed: "DOWN", reasons: [agentReason, ...evidence.map((e) => `${e.source}: ${e.detail}`)] };
}

/** A load balancer's view: its name, its cluster and the servers of its latest snapshot. */
export type LoadBalancerView = { name: string; clusterId: string; servers: NonNullable<Snapshot["haproxy"]>["servers"] };

/**
 * HAProxy's last check of the node's server (named after the node) on each
 * load balancer of its cluster. Only a conclusive check counts: `check_status`
 * L4OK/L6OK/L7OK passes, any other L4/L6/L7 or socket error fails; a server
 * not checked yet (INI), in maintenance (checks off) or without checks says
 * nothing.
 */
export function loadBalancerEvidence(node: { name: string; clusterId: string }, views: readonly LoadBalancerView[]): Evidence[] {
  const out: Evidence[] = [];
  for (const lb of views) {
    if (lb.clusterId !== node.clusterId) continue;
    for (const s of lb.servers) {
      if (s.name !== node.name || s.adminState === "MAINT") continue;
      const check = s.checkStatus.toUpperCase();
      const passes = /^L[467]OK/.test(check);
      if (!passes && !/^(L[467]|SOCKERR)/.test(check)) continue;
      out.push({ source: `${lb.name}'s health check`, passes, detail: `${s.backend}/${s.name} ${s.checkStatus} (${s.status})` });
    }
  }
  return out;
}
