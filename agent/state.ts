// What the route handlers of one running agent share.
import type { ServerResponse } from "node:http";
import type { Collector } from "./collector";
import type { AgentConfig } from "./config";
import type { Driver } from "./drivers/types";
import type { Refusals } from "./http/refusals";
import type { LogSink } from "./log";

export type AgentState = {
  config: AgentConfig;
  driver: Driver;
  collector: Collector;
  log: LogSink;
  startedAt: Date;
  /** Open /v1/stream answers: counted in /metrics, ended when the agent closes. */
  streams: Set<ServerResponse>;
  refusals: Refusals;
  /** Runs one change at a time: actions and configuration changes never interleave. */
  serialized: <T>(fn: () => Promise<T>) => Promise<T>;
};

export function oneAtATime(): AgentState["serialized"] {
  let queue: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };
}
