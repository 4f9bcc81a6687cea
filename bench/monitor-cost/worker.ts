// The process under test: the REAL worker (worker/run.ts) started as
// `clusterdeck start` starts it, with two read-only windows into it: a memory
// probe preloaded with --import (no change to its code) and its own /metrics
// on loopback. Its log is kept to count elections and errors.
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WORKER_V8_FLAGS } from "@/cli/paths";
import { REPO, spawnWithNofile } from "../common";
import type { Lifecycle } from "./lifecycle";

// A few lines preloaded into the worker that append process.memoryUsage() once a second to a
// file, so RSS can be split into the V8 heap and the rest.
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
export type MemSample = { t: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };

/** What the worker's log says so far. */
export type WorkerLogCounts = { elected: number; deposed: number; errors: number; transitionWriteFailures: number };

export type Worker = {
  pid: number;
  /** The V8 flags it runs with (recorded in the results). */
  v8Flags: readonly string[];
  exitCode: () => number | null;
  /** The last 200 kB of its stdout and stderr. */
  output: () => string;
  scanLog: () => WorkerLogCounts;
  /** Its memory probe's samples between two Date.now() times. */
  memory: (from: number, to: number) => MemSample[];
  /** Its own /metrics counters (NaN when it does not answer). */
  counters: () => Promise<{ snapshots: number; failures: number; transitions: number }>;
  /** SIGTERM, then waits (up to 20 s) for it to exit: it writes its CPU profile on the way out. */
  stop: () => Promise<void>;
};

export async function startWorker(
  run: Lifecycle,
  opts: { agents: number; databaseUrl: string; consoleSecret: string; noV8Flags: boolean; nodeOptions: string; profDir: string | undefined },
): Promise<Worker> {
  const { freePort } = await import("@/lab/ports");
  const memProbeFile = path.join(run.tmp, "worker-memory.ndjson");
  // The worker's own /metrics (CLUSTERDECK_WORKER_METRICS_PORT, loopback): snapshots received,
  // channel failures, transitions. Read only at window boundaries.
  const workerMetricsPort = await freePort();
  // The V8 flags `clusterdeck start` gives the worker (cli/paths.ts); --no-worker-v8-flags runs
  // without them, as the worker ran before they were chosen: the baseline for its memory.
  const v8Flags = opts.noV8Flags ? [] : WORKER_V8_FLAGS;
  const workerArgs = [
    ...v8Flags,
    "--conditions=react-server",
    "--import",
    "tsx",
    "--import",
    `data:text/javascript;base64,${Buffer.from(MEM_PROBE).toString("base64")}`,
  ];
  workerArgs.push(...opts.nodeOptions.split(/\s+/).filter(Boolean));
  if (opts.profDir) {
    mkdirSync(opts.profDir, { recursive: true });
    workerArgs.push("--cpu-prof", `--cpu-prof-dir=${opts.profDir}`);
  }
  workerArgs.push("worker/run.ts");
  const workerLogFile = path.join(run.tmp, "worker.log");
  const workerLog = createWriteStream(workerLogFile);
  const worker = run.adopt(
    "worker",
    spawnWithNofile(opts.agents + 512, process.execPath, workerArgs, {
      cwd: REPO,
      env: {
        ...process.env,
        DATABASE_URL: opts.databaseUrl,
        CLUSTERDECK_SECRET: opts.consoleSecret,
        NODE_ENV: "production",
        MONITOR_COST_MEMPROBE: memProbeFile,
        CLUSTERDECK_WORKER_METRICS_PORT: String(workerMetricsPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let workerOut = "";
  const onWorkerData = (c: Buffer) => {
    workerLog.write(c);
    workerOut = (workerOut + c.toString()).slice(-200_000);
  };
  worker.stdout!.on("data", onWorkerData);
  worker.stderr!.on("data", onWorkerData);
  console.log(
    `worker pid ${worker.pid}: node ${workerArgs.map((a) => (a.startsWith("data:") ? "<memory probe>" : a)).join(" ")}${opts.profDir ? ` (CPU profile → ${opts.profDir})` : ""}`,
  );
  return {
    pid: worker.pid!,
    v8Flags,
    exitCode: () => worker.exitCode,
    output: () => workerOut,
    scanLog: () => {
      const text = readFileSync(workerLogFile, "utf8");
      return {
        deposed: (text.match(/"worker\.deposed"/g) ?? []).length,
        elected: (text.match(/"worker\.elected"/g) ?? []).length,
        errors: (text.match(/"level":"error"|"msg":"(recorder|monitor|retention)\.[a-z-]*failed"/g) ?? []).length,
        transitionWriteFailures: (text.match(/"monitor\.transition-write-failed"/g) ?? []).length,
      };
    },
    memory: (from, to) =>
      existsSync(memProbeFile)
        ? readFileSync(memProbeFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as MemSample)
            .filter((m) => m.t >= from && m.t <= to)
        : [],
    counters: async () => {
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
    },
    stop: async () => {
      worker.kill("SIGTERM");
      await Promise.race([new Promise((r) => worker.once("exit", r)), sleep(20_000)]);
    },
  };
}
