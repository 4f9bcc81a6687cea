// The configuration this agent manages for the console: GET /v1/config (what
// runs), POST /v1/config/validate (check a candidate, change nothing) and
// POST /v1/config/apply (validate, write, activate; one change at a time).
import { configChecksum } from "@/lib/agent-protocol/config/checksum";
import { configCandidate, CONFIG_ROLE, MAX_CONFIG_BYTES } from "@/lib/agent-protocol/types";
import { ActionError } from "../drivers/types";
import type { Exchange } from "../http/route";
import { remoteOf } from "../http/respond";
import { ConfigInvalid } from "../managed/problems";
import type { AgentState } from "../state";

/** A configuration plus its JSON envelope. */
export const MAX_CONFIG_BODY_BYTES = MAX_CONFIG_BYTES * 2 + 4096;

function notManaged(agent: AgentState, x: Exchange): void {
  x.send(409, { error: "config-not-managed", message: `this ${agent.config.role} agent is not configured to manage a configuration` });
}

export async function readConfig(agent: AgentState, x: Exchange): Promise<void> {
  const manager = agent.driver.config;
  if (!manager) return notManaged(agent, x);
  const state = await manager.current();
  x.send(200, {
    kind: manager.kind,
    checksum: state.checksum,
    content: state.content,
    ...(state.problem ? { problem: state.problem } : {}),
    ...(manager.policy ? { policy: manager.policy } : {}),
  });
}

async function changeConfig(agent: AgentState, x: Exchange, mode: "validate" | "apply"): Promise<void> {
  const { config, collector, log } = agent;
  const manager = agent.driver.config;
  const parsed = configCandidate.safeParse(x.json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
    return x.refuse(422, "invalid-config-request", { error: "invalid-config-request", issues });
  }
  const candidate = parsed.data;
  if (!manager) return notManaged(agent, x);
  if (candidate.kind !== manager.kind || CONFIG_ROLE[candidate.kind] !== config.role) {
    return x.refuse(422, "invalid-config-request", {
      error: "invalid-config-request",
      message: `this agent manages ${manager.kind}, not ${candidate.kind}`,
    });
  }
  // The checksum proves the text arrived whole and is the one the console meant.
  if (configChecksum(candidate.content) !== candidate.checksum) {
    return x.refuse(422, "invalid-config-request", { error: "invalid-config-request", message: "checksum does not match the content" });
  }
  try {
    if (mode === "validate") {
      const problems = await manager.validate(candidate.content);
      return x.send(200, { ok: problems.length === 0, problems: problems.slice(0, 200) });
    }
    const result = await agent.serialized(() => manager.apply(candidate.content));
    log({ level: "info", msg: "configuration applied", kind: manager.kind, checksum: result.checksum, remote: remoteOf(x.req) });
    collector.refresh();
    x.send(200, { ok: true, checksum: result.checksum });
  } catch (error) {
    if (error instanceof ConfigInvalid) return x.send(422, { error: "invalid-config", message: error.message, problems: error.problems.slice(0, 200) });
    const status = error instanceof ActionError ? error.status : 500;
    const message = (error as Error)?.message ?? String(error);
    log({ level: status === 500 ? "error" : "warn", msg: `configuration ${mode} failed`, kind: manager.kind, status, error: message.slice(0, 300) });
    x.send(status, { error: status === 500 ? "internal" : "config-failed", message });
  }
}

export const validateConfig = (agent: AgentState, x: Exchange) => changeConfig(agent, x, "validate");
export const applyConfig = (agent: AgentState, x: Exchange) => changeConfig(agent, x, "apply");
