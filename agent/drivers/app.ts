// The app driver: watches one application server through its health and
// stats endpoints, probes the back-ends it depends on, and drains or resumes
// it through its admin endpoints.
//
// Health: DOWN when the health URL fails or times out; DEGRADED when it
// answers but the stats do not, or when any back-end is down; UP otherwise.
// requestRate and errorRate are per second, from the deltas of the app's
// `requests` and `errors` counters between two collects.
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { AgentAction, AgentHealth, AppStatus, BackendProbe } from "@/lib/agent-protocol/types";
import type { AppConfig } from "../config";
import { family } from "../prom";
import { describeError, displayUrl, httpRequest, splitHostPort, tcpProbe } from "../probe";
import { ActionError, type Driver, type DriverReport } from "./types";
import { appConfigManager } from "../managed/app";

/** What the app's stats URL answers. Extra fields are ignored. */
export const appStats = z.object({
  sessions: z.number().int().nonnegative(),
  requests: z.number().nonnegative(),
  latencyMs: z.number().nonnegative().nullable().optional(),
  errors: z.number().nonnegative().optional(),
  draining: z.boolean().optional(),
});
type AppStats = z.infer<typeof appStats>;

type CounterSample = { requests: number; errors: number; at: number };

/** Increase of a counter; a smaller value means the app restarted and counts from zero again. */
function increase(now: number, before: number): number {
  return now >= before ? now - before : now;
}

export function createAppDriver(config: AppConfig): Driver {
  const timeoutMs = config.timeoutMs ?? 1000;
  const closing = new AbortController();
  const healthTarget = displayUrl(config.healthUrl);
  const statsTarget = displayUrl(config.statsUrl);
  const backends = config.backends.map((b) => ({ ...b, target: "url" in b ? displayUrl(b.url) : b.tcp }));

  let previous: CounterSample | undefined;
  let lastStats: AppStats | undefined;
  let last: { healthUp: boolean; healthLatencyMs: number | null; statsUp: boolean; app: AppStatus; counters?: CounterSample } | undefined;

  async function probeBackend(b: (typeof backends)[number]): Promise<BackendProbe> {
    try {
      let latencyMs: number;
      if ("url" in b) {
        const res = await httpRequest(b.url, { timeoutMs, signal: closing.signal, readBody: false });
        if (res.status >= 400) return { name: b.name, target: b.target, up: false, latencyMs: null, error: `HTTP ${res.status}` };
        latencyMs = res.latencyMs;
      } else {
        const { host, port } = splitHostPort(b.tcp);
        latencyMs = await tcpProbe(host, port, timeoutMs, closing.signal);
      }
      return { name: b.name, target: b.target, up: true, latencyMs: Math.round(latencyMs * 100) / 100 };
    } catch (error) {
      return { name: b.name, target: b.target, up: false, latencyMs: null, error: describeError(error).slice(0, 300) };
    }
  }

  async function checkHealth(): Promise<{ up: boolean; latencyMs: number | null; error?: string }> {
    try {
      const res = await httpRequest(config.healthUrl, { timeoutMs, signal: closing.signal, readBody: false });
      if (res.status >= 200 && res.status < 300) return { up: true, latencyMs: res.latencyMs };
      return { up: false, latencyMs: null, error: `HTTP ${res.status}` };
    } catch (error) {
      return { up: false, latencyMs: null, error: describeError(error) };
    }
  }

  async function readStats(): Promise<{ stats: AppStats } | { error: string }> {
    try {
      const res = await httpRequest(config.statsUrl, { timeoutMs, signal: closing.signal });
      if (res.status < 200 || res.status >= 300) return { error: `HTTP ${res.status}` };
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        return { error: "answer is not JSON" };
      }
      const parsed = appStats.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return { error: `unexpected answer: ${issue.path.join(".") || "(root)"}: ${issue.message}` };
      }
      return { stats: parsed.data };
    } catch (error) {
      return { error: describeError(error) };
    }
  }

  async function collect(): Promise<DriverReport> {
    const [health, statsResult, probes] = await Promise.all([checkHealth(), readStats(), Promise.all(backends.map(probeBackend))]);
    const at = performance.now();
    const reasons: string[] = [];
    let state: AgentHealth = "UP";

    if (!health.up) {
      state = "DOWN";
      reasons.push(`health ${healthTarget}: ${health.error}`);
    }

    let requestRate = 0;
    let errorRate = 0;
    let counters: CounterSample | undefined;
    if ("stats" in statsResult) {
      const s = statsResult.stats;
      counters = { requests: s.requests, errors: s.errors ?? 0, at };
      if (previous && at > previous.at) {
        const seconds = (at - previous.at) / 1000;
        requestRate = increase(counters.requests, previous.requests) / seconds;
        errorRate = increase(counters.errors, previous.errors) / seconds;
      }
      previous = counters;
      lastStats = s;
    } else {
      if (state === "UP") state = "DEGRADED";
      // The last known figures are kept (a drain watcher must not read a
      // failed stats call as "zero sessions left"); the reason says so.
      reasons.push(`stats ${statsTarget}: ${statsResult.error}${lastStats ? " (sessions and draining are the last known values)" : ""}`);
    }

    for (const p of probes) {
      if (p.up) continue;
      if (state === "UP") state = "DEGRADED";
      reasons.push(`backend '${p.name}' (${p.target}): ${p.error ?? "down"}`);
    }

    const app: AppStatus = {
      sessions: lastStats?.sessions ?? 0,
      requestRate: round(requestRate),
      latencyMs: lastStats?.latencyMs ?? null,
      errorRate: round(errorRate),
      draining: lastStats?.draining ?? false,
      backends: probes,
    };
    last = { healthUp: health.up, healthLatencyMs: health.latencyMs, statsUp: "stats" in statsResult, app, counters };
    return { health: state, reasons, app };
  }

  async function post(url: string | undefined, action: AgentAction["action"], setting: string, json?: unknown): Promise<unknown> {
    if (!url) throw new ActionError(409, `${action} needs app.${setting} in this agent's config`);
    const target = displayUrl(url);
    let res;
    try {
      res = await httpRequest(url, { method: "POST", timeoutMs: Math.max(timeoutMs, 2000), signal: closing.signal, json });
    } catch (error) {
      throw new ActionError(502, `POST ${target}: ${describeError(error)}`);
    }
    if (res.status < 200 || res.status >= 300) throw new ActionError(502, `POST ${target}: the app answered HTTP ${res.status}`);
    let answer: unknown = null;
    try {
      answer = res.body ? JSON.parse(res.body) : null;
    } catch {
      answer = null;
    }
    return { action, status: res.status, answer };
  }

  /** Health URL polled this often between collects (cheap: one local GET). */
  const WATCH_EVERY_MS = 100;

  function watch(onChange: () => void): () => void {
    let lastUp: boolean | undefined;
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      const { up } = await checkHealth();
      busy = false;
      if (lastUp !== undefined && up !== lastUp) onChange();
      lastUp = up;
    }, WATCH_EVERY_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    role: "app",
    config:
      config.settingsFile && config.reloadUrl
        ? appConfigManager({ settingsFile: config.settingsFile, reloadUrl: config.reloadUrl, timeoutMs: Math.max(2000, timeoutMs) })
        : undefined,
    watch,
    collect,
    async act(action) {
      switch (action.action) {
        case "app.drain":
          return post(config.drainUrl, action.action, "drainUrl");
        case "app.resume":
          return post(config.resumeUrl, action.action, "resumeUrl");
        case "app.end-sessions":
          return post(config.endSessionsUrl, action.action, "endSessionsUrl");
        // Optional for an app: 422 (not 409) says "this app cannot hold writes", which a switchover lists and goes on without.
        case "app.hold-writes":
          if (!config.holdWritesUrl) throw new ActionError(422, "this app cannot hold writes: its agent's config has no app.holdWritesUrl");
          return post(config.holdWritesUrl, action.action, "holdWritesUrl", { ms: action.ms });
        case "app.release-writes":
          if (!config.releaseWritesUrl) throw new ActionError(422, "this app cannot hold writes: its agent's config has no app.releaseWritesUrl");
          return post(config.releaseWritesUrl, action.action, "releaseWritesUrl");
        default:
          throw new ActionError(422, `the app driver does not take ${action.action}`);
      }
    },
    metrics(registry) {
      if (!last) return;
      const a = last.app;
      const sec = (ms: number | null) => (ms === null ? NaN : ms / 1000);
      const probeLabels = (p: BackendProbe) => ({ backend: p.name, target: p.target });
      family(registry, "clusterdeck_app_health_up", "gauge", "1 when the app's health URL answered 2xx at the last collect.", last.healthUp ? 1 : 0);
      family(
        registry,
        "clusterdeck_app_health_latency_seconds",
        "gauge",
        "Time to the health URL's answer at the last collect (NaN when it failed).",
        sec(last.healthLatencyMs),
      );
      family(registry, "clusterdeck_app_stats_up", "gauge", "1 when the app's stats URL answered at the last collect.", last.statsUp ? 1 : 0);
      family(registry, "clusterdeck_app_sessions", "gauge", "Active sessions the app reports.", a.sessions);
      family(registry, "clusterdeck_app_draining", "gauge", "1 while the app refuses new sessions.", a.draining ? 1 : 0);
      family(registry, "clusterdeck_app_request_rate", "gauge", "Requests per second between the last two collects.", a.requestRate);
      family(registry, "clusterdeck_app_error_rate", "gauge", "Errors per second between the last two collects.", a.errorRate);
      family(registry, "clusterdeck_app_latency_seconds", "gauge", "Recent average request latency the app reports (NaN when unknown).", sec(a.latencyMs));
      if (last.counters) {
        family(registry, "clusterdeck_app_requests_total", "counter", "The app's own request counter, as last read.", last.counters.requests);
        family(registry, "clusterdeck_app_errors_total", "counter", "The app's own error counter, as last read.", last.counters.errors);
      }
      family(
        registry,
        "clusterdeck_app_backend_up",
        "gauge",
        "1 when the back-end answered the last probe.",
        a.backends.map((p) => ({ labels: probeLabels(p), value: p.up ? 1 : 0 })),
      );
      family(
        registry,
        "clusterdeck_app_backend_latency_seconds",
        "gauge",
        "Latency of the last probe of the back-end (NaN when it failed).",
        a.backends.map((p) => ({ labels: probeLabels(p), value: sec(p.latencyMs) })),
      );
    },
    async close() {
      closing.abort();
    },
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
