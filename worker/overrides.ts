// Runtime overrides (drain, maintenance, weights) that operators set on
// HAProxy servers live in the console (RuntimeOverride). HAProxy forgets them
// whenever it reloads or restarts: every server comes back ready at its
// configured weight. So after each reload the console puts them back.
import { z } from "zod";
import { AGENT_PATHS, type AgentAction } from "@/lib/agent-protocol/types";
import { callAgent, type AgentEndpoint } from "@/lib/agents/client";
import { backendName } from "@/lib/config/haproxy";
import type { Db } from "@/lib/db/client";

/** An action's answer: only success matters here. */
const actionAnswer = z.looseObject({ ok: z.literal(true) });

/**
 * A reload starts HAProxy from its file, where every server is ready at its
 * configured weight: put back what operators set at runtime (stored overrides),
 * or a drained server would silently return to service.
 */
export async function restoreOverrides(db: Db, loadBalancerId: string, endpoint: AgentEndpoint): Promise<number> {
  const overrides = await db.runtimeOverride.findMany({
    where: { loadBalancerId, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    select: { kind: true, value: true, node: { select: { name: true } }, loadBalancer: { select: { name: true } } },
  });
  for (const o of overrides) {
    const backend = backendName(o.loadBalancer!.name);
    let action: AgentAction;
    if (o.kind === "state" && (o.value === "drain" || o.value === "maint" || o.value === "ready"))
      action = { action: "haproxy.set-state", backend, server: o.node.name, state: o.value };
    else if (o.kind === "weight" && /^\d{1,3}$/.test(o.value)) action = { action: "haproxy.set-weight", backend, server: o.node.name, weight: Number(o.value) };
    else continue;
    try {
      await callAgent(endpoint, "POST", AGENT_PATHS.actions, action, actionAnswer, 10_000);
    } catch (error) {
      throw new Error(`reloaded, but the runtime override ${o.kind}=${o.value} of ${o.node.name} could not be put back: ${(error as Error).message}`);
    }
  }
  return overrides.length;
}
