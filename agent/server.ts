// The agent's HTTP(S) server. It only answers: it never calls the console, so
// it keeps collecting while the console is away and is simply there when the
// worker reconnects.
//
// The pieces: routes.ts (every route, one table), http/pipeline.ts (route
// matching, auth, body limits, refusals: before any handler), handlers/ (what
// each route does), http/listen.ts (the socket side). This file wires them to
// one collector and one driver, and closes them in order.
import type { AddressInfo } from "node:net";
import { version } from "@/lib/agent-protocol/version";
import { Collector } from "./collector";
import type { AgentConfig } from "./config";
import type { Driver } from "./drivers/types";
import { AgentAuth, METRICS_CLOSED_MESSAGE, type AuthSettings } from "./http/auth";
import { createAgentServer } from "./http/listen";
import { requestPipeline } from "./http/pipeline";
import { Refusals } from "./http/refusals";
import { loadDriver } from "./load-driver";
import { stderrLog, type LogSink } from "./log";
import { ROUTES } from "./routes";
import { oneAtATime, type AgentState } from "./state";

export type AgentOptions = {
  /** A ready driver instead of the role's own (tests use one that misbehaves on purpose). */
  driver?: Driver;
  log?: LogSink;
};

export type RunningAgent = {
  url: string;
  port: number;
  collector: Collector;
  /** Swaps the credentials and the metrics access in place (key rotation without dropping streams). */
  setAuth(auth: AuthSettings): void;
  close(): Promise<void>;
};

export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<RunningAgent> {
  const log = options.log ?? stderrLog;
  const startedAt = new Date();
  const driver = options.driver ?? (await loadDriver(config));
  const collector = new Collector(driver, { name: config.name, role: config.role, version, startedAt: startedAt.toISOString() }, config.intervalMs, log);
  const auth = new AgentAuth(config);
  const refusals = new Refusals(log);
  const state: AgentState = { config, driver, collector, log, startedAt, streams: new Set(), refusals, serialized: oneAtATime() };
  const server = await createAgentServer(config, requestPipeline({ routes: ROUTES, state, auth, refusals, log }));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.listen.port, config.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await driver.close().catch(() => {});
    throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}`);
  }
  collector.start();
  if (auth.metricsClosed) log({ level: "info", msg: METRICS_CLOSED_MESSAGE });
  const unwatch = driver.watch?.(() => collector.refresh());

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${config.tls ? "https" : "http"}://${hostForUrl}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    collector,
    setAuth: (settings) => auth.set(settings),
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of state.streams) res.end();
        server.closeIdleConnections();
        // Whatever is still open after a moment (a slow action, a stuck client) is cut.
        const cut = setTimeout(() => server.closeAllConnections(), 2000);
        unwatch?.();
        await collector.stop();
        await serverClosed;
        clearTimeout(cut);
        await driver.close().catch((error: Error) => log({ level: "error", msg: "driver close failed", error: error.message }));
      })();
      return closed;
    },
  };
}
