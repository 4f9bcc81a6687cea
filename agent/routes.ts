// Every HTTP route of the agent, in one table: the one place a route is
// added. The request pipeline (http/pipeline.ts) matches a request here
// (404, 405), checks `auth` and reads `body` before `handle` runs.
//
//   GET  /v1/status           the latest snapshot                       (signed)
//   GET  /v1/stream           NDJSON: the latest at once, then one per tick (signed)
//   POST /v1/actions          an agentAction, carried out by the driver (signed)
//   GET  /v1/config           the managed configuration as it runs      (signed)
//   POST /v1/config/validate  check a candidate, change nothing         (signed)
//   POST /v1/config/apply     validate, write, activate                 (signed)
//   GET  /metrics             Prometheus text: Bearer metricsToken, or open only when
//                             the config says openMetrics (closed by default)
import { AGENT_PATHS } from "@/lib/agent-protocol/types";
import { act, MAX_ACTION_BODY_BYTES } from "./handlers/actions";
import { applyConfig, MAX_CONFIG_BODY_BYTES, readConfig, validateConfig } from "./handlers/config";
import { metrics } from "./handlers/metrics";
import { status, stream } from "./handlers/snapshots";
import type { Route } from "./http/route";
import type { AgentState } from "./state";

export const ROUTES: readonly Route<AgentState>[] = [
  { method: "GET", path: AGENT_PATHS.status, auth: "signed", handle: status },
  { method: "GET", path: AGENT_PATHS.stream, auth: "signed", handle: stream },
  { method: "POST", path: AGENT_PATHS.actions, auth: "signed", body: { maxBytes: MAX_ACTION_BODY_BYTES }, handle: act },
  { method: "GET", path: AGENT_PATHS.config, auth: "signed", handle: readConfig },
  { method: "POST", path: AGENT_PATHS.configValidate, auth: "signed", body: { maxBytes: MAX_CONFIG_BODY_BYTES }, handle: validateConfig },
  { method: "POST", path: AGENT_PATHS.configApply, auth: "signed", body: { maxBytes: MAX_CONFIG_BODY_BYTES }, handle: applyConfig },
  { method: "GET", path: AGENT_PATHS.metrics, auth: "metrics", handle: metrics },
];
