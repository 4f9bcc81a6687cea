// POST /v1/actions: an agentAction, carried out by the driver, one at a time
// (a drain and a resume racing each other would leave the app in either state).
import { agentAction } from "@/lib/agent-protocol/types";
import { ActionError } from "../drivers/types";
import type { Exchange } from "../http/route";
import { remoteOf } from "../http/respond";
import type { AgentState } from "../state";

export const MAX_ACTION_BODY_BYTES = 16 * 1024;

export async function act(agent: AgentState, x: Exchange): Promise<void> {
  const parsed = agentAction.safeParse(x.json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
    return x.refuse(422, "invalid-action", { error: "invalid-action", issues });
  }
  const action = parsed.data;
  const { driver, collector, log } = agent;
  const run = agent.serialized(() => driver.act(action));
  try {
    const result = await run;
    log({ level: "info", msg: "action done", action: action.action, remote: remoteOf(x.req) });
    collector.refresh();
    x.send(200, { ok: true, action: action.action, result: result ?? null });
  } catch (error) {
    const status = error instanceof ActionError ? error.status : 500;
    const message = (error as Error)?.message ?? String(error);
    log({ level: status === 500 ? "error" : "warn", msg: "action failed", action: action.action, status, error: message.slice(0, 300) });
    x.send(status, { error: status === 500 ? "internal" : "action-failed", action: action.action, message });
  }
}
