// The worker's calls to a database member's agent (an action, or its live status), to
// the cluster's app agents for a switchover's write hold, and to its poolers' agents.
import { z } from "zod";
import { AGENT_PATHS, snapshot as snapshotSchema, type AgentAction } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { callAgent } from "@/lib/agents/client";

const actionAnswer = z.looseObject({ ok: z.literal(true), result: z.unknown().optional() });

/** Runs an action on the member's (or an app node's) agent; throws AgentCallError (status 0: unreachable) or the agent's refusal. */
export async function act(type: "DATABASE" | "NODE" | "POOLER", id: string, action: AgentAction, timeoutMs = 90_000) {
  const endpoint = await agentEndpointFor(type, id);
  if (!endpoint) throw new Error("no enrolled agent");
  return (await callAgent(endpoint, "POST", AGENT_PATHS.actions, action, actionAnswer, timeoutMs)).result as Record<string, unknown> | undefined;
}

/** The member's PostgreSQL status, fresh from its agent; null when it does not answer or its server is down. */
export async function status(id: string) {
  const endpoint = await agentEndpointFor("DATABASE", id);
  if (!endpoint) return null;
  try {
    const s = await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 5000);
    return s.postgres && s.health !== "DOWN" ? s.postgres : null;
  } catch {
    return null;
  }
}

/** The pooler's PgBouncer status, fresh from its agent; null when it does not answer or PgBouncer is down. */
export async function poolerStatus(id: string, timeoutMs = 3000) {
  const endpoint = await agentEndpointFor("POOLER", id);
  if (!endpoint) return null;
  try {
    const s = await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, timeoutMs);
    return s.pgbouncer && s.health !== "DOWN" ? s.pgbouncer : null;
  } catch {
    return null;
  }
}
