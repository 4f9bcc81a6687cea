// The fleet simulator: N lightweight agents in one process, each on its own
// port, speaking the real agent protocol (signed /v1/stream through the real
// verifyRequest, valid app snapshots once a second, /metrics like the app
// agent: behind the config's metricsToken, checked as the agent does, and
// closed without one). For benchmarks that need thousands of monitored nodes; tests that
// need agents that DO things use lab/fleet.ts (real agents) instead.
//
// Run as a child with an IPC channel: `node --import tsx lab/sim-fleet.ts <config.json>`.
// It sends {type:"ready", ports}; it answers "stats" with {type:"stats", stats},
// and {type:"set-health", index, health} makes one agent report that health
// (with a reason) from its next snapshot on.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { NonceCache, verifyRequest } from "@/lib/agent-protocol/signing";
import { AGENT_PATHS, snapshot as snapshotSchema, type Snapshot } from "@/lib/agent-protocol/types";
import { family, PROMETHEUS_CONTENT_TYPE } from "./prom-text";
import { REFUSAL_REASONS } from "@/agent/http/refusals";
import { version } from "@/lib/agent-protocol/version";

export type SimConfig = { agents: { keyId: string; secret: string }[]; basePort: number; intervalMs: number; metricsToken?: string };
export type SimStats = {
  linesWritten: number;
  bytesWritten: number;
  streamsOpened: number;
  streamsOpen: number;
  streamsDropped: number;
  scrapes: number;
  scrapeBytes: number;
  statusRequests: number;
  refused: Record<string, number>;
};

const BACKENDS = [
  { name: "postgres-primary", target: "postgres://db-primary.internal:5432/app" },
  { name: "session-cache", target: "redis://cache-1.internal:6379" },
];
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

export class SimAgent {
  readonly name: string;
  readonly startedAt = new Date();
  private readonly nonces = new NonceCache();
  readonly streams = new Set<ServerResponse>();
  seq = 0;
  health: Snapshot["health"] = "UP";
  latest: Snapshot | undefined;
  latestLine: string | undefined;
  // Slowly wandering app facts, so values (and Prometheus' samples) change like a real fleet's.
  private sessions = 50 + Math.floor(Math.random() * 400);
  private requests = Math.floor(Math.random() * 1e6);
  private errors = Math.floor(Math.random() * 100);
  private collects = 0;
  private lastDurationMs = 2;
  private readonly memoryTotal = 8 * 1024 ** 3;

  constructor(
    readonly index: number,
    private readonly keyId: string,
    private readonly secret: string,
    private readonly stats: SimStats,
    /** sha256 of the metrics token; undefined: /metrics is closed, as on a real agent. */
    private readonly metricsTokenHash?: Buffer,
  ) {
    this.name = `sim-app-${String(index).padStart(5, "0")}`;
  }

  /** One collect: a new snapshot, written to every open stream. */
  tick(): void {
    this.collects += 1;
    this.lastDurationMs = 1 + Math.random() * 4;
    this.sessions = Math.max(0, this.sessions + Math.round((Math.random() - 0.5) * 10));
    const rate = 20 + Math.random() * 30;
    this.requests += Math.round(rate);
    if (Math.random() < 0.05) this.errors += 1;
    const r3 = (n: number) => Math.round(n * 1000) / 1000;
    const snap: Snapshot = {
      type: "snapshot",
      seq: ++this.seq,
      at: new Date().toISOString(),
      agent: { name: this.name, role: "app", version, startedAt: this.startedAt.toISOString() },
      health: this.health,
      reasons: this.health === "UP" ? [] : ["set by the simulator"],
      host: {
        cpu: r3(0.05 + Math.random() * 0.3),
        memoryUsed: Math.round(this.memoryTotal * (0.4 + Math.random() * 0.1)),
        memoryTotal: this.memoryTotal,
        load1: r3(Math.random() * 2),
      },
      app: {
        sessions: this.sessions,
        requestRate: r3(rate),
        latencyMs: r3(5 + Math.random() * 20),
        errorRate: r3(Math.random() < 0.05 ? 1 : 0),
        draining: false,
        backends: BACKENDS.map((b) => ({ name: b.name, target: b.target, up: true, latencyMs: r3(0.3 + Math.random() * 2) })),
      },
    };
    this.latest = snap;
    this.latestLine = JSON.stringify(snap) + "\n";
    for (const res of this.streams) this.send(res, this.latestLine);
  }

  private send(res: ServerResponse, line: string) {
    if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
      this.stats.streamsDropped += 1;
      res.destroy();
      return;
    }
    res.write(line);
    this.stats.linesWritten += 1;
    this.stats.bytesWritten += line.length;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    const pathOnly = url.split("?")[0]!;
    if (req.method !== "GET") return json(res, 405, { error: "method-not-allowed" });
    if (pathOnly === AGENT_PATHS.metrics) return this.metricsGate(req, res);
    if (pathOnly !== AGENT_PATHS.stream && pathOnly !== AGENT_PATHS.status) return json(res, 404, { error: "not-found" });
    const verdict = verifyRequest({
      header: req.headers.authorization,
      method: req.method,
      pathWithQuery: url,
      body: "",
      secretFor: (keyId) => (keyId === this.keyId ? this.secret : undefined),
      nonces: this.nonces,
    });
    if (!verdict.ok) {
      this.stats.refused[verdict.reason] = (this.stats.refused[verdict.reason] ?? 0) + 1;
      return json(res, 401, { error: "unauthorized", reason: verdict.reason });
    }
    if (pathOnly === AGENT_PATHS.status) {
      this.stats.statusRequests += 1;
      return json(res, 200, this.latest ?? {});
    }
    res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 10_000);
    this.streams.add(res);
    this.stats.streamsOpened += 1;
    this.stats.streamsOpen += 1;
    if (this.latestLine) this.send(res, this.latestLine);
    else res.flushHeaders();
    res.on("close", () => {
      this.streams.delete(res);
      this.stats.streamsOpen -= 1;
    });
  }

  /** The same check as agent/server.ts, so a scrape costs the simulator what it costs an agent. */
  private metricsGate(req: IncomingMessage, res: ServerResponse): void {
    if (!this.metricsTokenHash) return json(res, 403, { error: "metrics-closed" });
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? createHash("sha256").update(header.slice(7).trim()).digest() : undefined;
    if (!given || !timingSafeEqual(given, this.metricsTokenHash)) {
      this.stats.refused["metrics-token"] = (this.stats.refused["metrics-token"] ?? 0) + 1;
      return json(res, 401, { error: "unauthorized", reason: "metrics-token" });
    }
    this.metrics(res);
  }

  /** The families agent/server.ts and the app driver expose (39 series with two back-ends). */
  private metrics(res: ServerResponse): void {
    const s = this.latest;
    const health = s?.health;
    const a = s?.app;
    const sec = (ms: number | null | undefined) => (ms === null || ms === undefined ? NaN : ms / 1000);
    const probeLabels = (p: { name: string; target: string }) => ({ backend: p.name, target: p.target });
    const text = [
      family("clusterdeck_agent_up", "gauge", "1 while the agent process runs.", 1),
      family("clusterdeck_agent_info", "gauge", "The agent's identity.", [{ labels: { role: "app", name: this.name, version }, value: 1 }]),
      family("clusterdeck_agent_start_time_seconds", "gauge", "When the agent started (Unix time).", this.startedAt.getTime() / 1000),
      family(
        "clusterdeck_agent_health",
        "gauge",
        "1 for the health of the latest snapshot.",
        (["UP", "DEGRADED", "DOWN"] as const).map((st) => ({ labels: { state: st }, value: health === st ? 1 : 0 })),
      ),
      family("clusterdeck_agent_collect_duration_seconds", "gauge", "How long the last driver collect took.", this.lastDurationMs / 1000),
      family("clusterdeck_agent_collects_total", "counter", "Driver collects started.", this.collects),
      family("clusterdeck_agent_collect_failures_total", "counter", "Driver collects that threw or overran the interval.", 0),
      family("clusterdeck_agent_snapshot_seq", "gauge", "seq of the latest snapshot.", this.seq),
      family("clusterdeck_agent_streams", "gauge", "Open /v1/stream connections.", this.streams.size),
      family(
        "clusterdeck_agent_refused_requests_total",
        "counter",
        "Requests refused, by reason.",
        REFUSAL_REASONS.map((reason) => ({ labels: { reason }, value: 0 })),
      ),
      ...(s
        ? [
            family("clusterdeck_agent_host_cpu_ratio", "gauge", "Host CPU busy share between the last two snapshots (0..1).", s.host.cpu),
            family("clusterdeck_agent_host_memory_used_bytes", "gauge", "Host memory in use.", s.host.memoryUsed),
            family("clusterdeck_agent_host_memory_total_bytes", "gauge", "Host memory.", s.host.memoryTotal),
            family("clusterdeck_agent_host_load1", "gauge", "Host 1-minute load average.", s.host.load1),
          ]
        : []),
      ...(a
        ? [
            family("clusterdeck_app_health_up", "gauge", "1 when the app's health URL answered 2xx at the last collect.", 1),
            family(
              "clusterdeck_app_health_latency_seconds",
              "gauge",
              "Time to the health URL's answer at the last collect (NaN when it failed).",
              sec(a.latencyMs) / 4,
            ),
            family("clusterdeck_app_stats_up", "gauge", "1 when the app's stats URL answered at the last collect.", 1),
            family("clusterdeck_app_sessions", "gauge", "Active sessions the app reports.", a.sessions),
            family("clusterdeck_app_draining", "gauge", "1 while the app refuses new sessions.", a.draining ? 1 : 0),
            family("clusterdeck_app_request_rate", "gauge", "Requests per second between the last two collects.", a.requestRate),
            family("clusterdeck_app_error_rate", "gauge", "Errors per second between the last two collects.", a.errorRate),
            family("clusterdeck_app_latency_seconds", "gauge", "Recent average request latency the app reports (NaN when unknown).", sec(a.latencyMs)),
            family("clusterdeck_app_requests_total", "counter", "The app's own request counter, as last read.", this.requests),
            family("clusterdeck_app_errors_total", "counter", "The app's own error counter, as last read.", this.errors),
            family(
              "clusterdeck_app_backend_up",
              "gauge",
              "1 when the back-end answered the last probe.",
              a.backends.map((p) => ({ labels: probeLabels(p), value: p.up ? 1 : 0 })),
            ),
            family(
              "clusterdeck_app_backend_latency_seconds",
              "gauge",
              "Latency of the last probe of the back-end (NaN when it failed).",
              a.backends.map((p) => ({ labels: probeLabels(p), value: sec(p.latencyMs) })),
            ),
          ]
        : []),
    ].join("");
    res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(text);
    this.stats.scrapes += 1;
    this.stats.scrapeBytes += text.length;
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {}
  return [32768, 60999];
}

export async function runSimulator(configFile: string): Promise<void> {
  const cfg = JSON.parse(readFileSync(configFile, "utf8")) as SimConfig;
  const stats: SimStats = {
    linesWritten: 0,
    bytesWritten: 0,
    streamsOpened: 0,
    streamsOpen: 0,
    streamsDropped: 0,
    scrapes: 0,
    scrapeBytes: 0,
    statusRequests: 0,
    refused: {},
  };
  const tokenHash = cfg.metricsToken ? createHash("sha256").update(cfg.metricsToken).digest() : undefined;
  const agents = cfg.agents.map((c, i) => new SimAgent(i, c.keyId, c.secret, stats, tokenHash));

  // Never send the worker something it would refuse: check the shape once with the real schema.
  agents[0]!.tick();
  const check = snapshotSchema.safeParse(JSON.parse(agents[0]!.latestLine!));
  if (!check.success) throw new Error(`simulator builds invalid snapshots: ${check.error.message}`);

  const [ephLo, ephHi] = ephemeralRange();
  const ports: number[] = [];
  const servers: http.Server[] = [];
  let candidate = cfg.basePort;
  for (const agent of agents) {
    const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 15_000, headersTimeout: 10_000 }, (req, res) => agent.handle(req, res));
    server.on("clientError", (_e, socket) => socket.destroy());
    for (;;) {
      if (candidate >= ephLo && candidate <= ephHi) candidate = ephHi + 1;
      if (candidate > 65535) throw new Error(`ran out of ports after ${ports.length} agents`);
      const port = candidate++;
      const ok = await new Promise<boolean>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" || e.code === "EACCES" ? resolve(false) : reject(e));
        server.once("error", onError);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", onError);
          resolve(true);
        });
      });
      if (ok) {
        ports.push(port);
        break;
      }
    }
    servers.push(server);
  }

  // Each agent collects on its own timer, at its own phase, like independent agents.
  const timers: NodeJS.Timeout[] = [];
  for (const agent of agents) {
    const phase = Math.floor(Math.random() * cfg.intervalMs);
    timers.push(
      setTimeout(() => {
        agent.tick();
        timers.push(setInterval(() => agent.tick(), cfg.intervalMs));
      }, phase),
    );
  }

  process.on("message", (m: unknown) => {
    const set = m as { type?: string; index?: number; health?: Snapshot["health"] };
    if (set?.type === "set-health" && agents[set.index ?? -1] && set.health) agents[set.index!]!.health = set.health;
    if (m === "stats") process.send!({ type: "stats", stats: { ...stats, refused: { ...stats.refused } } });
  });
  // The orchestrator is gone (or asked us to stop): stop serving.
  const stop = () => {
    for (const t of timers) clearTimeout(t);
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  };
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.send!({ type: "ready", ports });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await runSimulator(process.argv[2]!);
