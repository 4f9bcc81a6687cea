// Failover benchmark (issue 15): kill -9 of the primary → the first write
// accepted on the new primary, with automatic failover deciding.
//
//   npm run bench -- failover [--runs 5] [--smoke] [--json PATH]
//
// --smoke: one run (--runs given still wins).
//
// Each run starts three fresh streaming pairs (lab/postgres.ts, PostgreSQL 15),
// each enrolled with an agent beside each member at production's 1 s snapshot
// interval, watched by the worker's pieces (Monitor, Recorder, AutoFailover,
// OperationRunner with the promotion), under a write loop of one client:
//   - previous: the decision before issue 15 (stored DOWN after the fall
//     threshold, then CONFIRM_MS = 3000, checked every second), async pair;
//   - new, async: today's decision (the primary's agent reports its
//     PostgreSQL down, the replica lost its stream);
//   - new, sync: the same with the cluster's replication mode set to sync
//     (FIRST 1) through the console, its keeper (SyncKeeper) making the
//     primary name the replica; the write loop starts once the replica is the
//     synchronous standby. On loss: degrade. In a pair no standby is left
//     after the failover (the old primary needs a rebuild), so with wait the
//     new primary would hold every write until then; degrade lets it write
//     once the keeper has seen that, which the time includes.
// Time: kill -9 of every PostgreSQL process of the primary → the first INSERT
// the write loop gets acknowledged by the new primary. Lost: INSERTs the old
// primary acknowledged that the new primary does not hold (sync must lose 0).
// Target: new median ≤ 3 s.
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { systemActor } from "@/lib/common/actor";
import { median, RESULT_OPTIONS, writeResults, runningParts, benchConsole } from "./common";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { running, stopDownTo } = runningParts();

/**
 * One client writing numbered rows as fast as it can: to the primary until a
 * write fails, then to the replica until one is accepted there (it refuses
 * while in recovery). Resolves with when that was and what the old primary
 * acknowledged.
 */
function writeLoop(primaryUrl: string, replicaUrl: string) {
  const acked: number[] = [];
  let id = 0;
  const done = (async () => {
    const c = new pg.Client({ connectionString: primaryUrl });
    await c.connect();
    c.on("error", () => {});
    for (;;) {
      try {
        await c.query("INSERT INTO bench_writes (id) VALUES ($1)", [++id]);
        acked.push(id);
      } catch {
        break;
      }
    }
    await c.end().catch(() => {});
    for (;;) {
      const n = new pg.Client({ connectionString: replicaUrl, connectionTimeoutMillis: 2000 });
      n.on("error", () => {});
      try {
        await n.connect();
        for (;;) {
          await n.query("INSERT INTO bench_writes (id) VALUES ($1)", [++id]);
          return performance.now();
        }
      } catch {
        await sleep(5);
      } finally {
        await n.end().catch(() => {});
      }
    }
  })();
  return { acked, done };
}

type Mode = { key: "previous" | "async" | "sync"; label: string; synchronous: boolean; fast: boolean };
const MODES: Mode[] = [
  { key: "previous", label: "previous decision, async", synchronous: false, fast: false },
  { key: "async", label: "new decision, async", synchronous: false, fast: true },
  { key: "sync", label: "new decision, sync", synchronous: true, fast: true },
];
const audit = { actor: systemActor("bench"), requestId: "bench-failover", clientIp: null };

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, ...RESULT_OPTIONS } });
  const runs = Number(values.runs ?? (values.smoke ? 1 : 5));
  if (!(runs > 0)) throw new Error("--runs must be a positive number");

  const times: Record<Mode["key"], number[]> = { previous: [], async: [], sync: [] };
  const lost: Record<Mode["key"], number[]> = { previous: [], async: [], sync: [] };
  try {
    const console_ = await benchConsole("failover", running);
    const { db } = await import("@/lib/db");
    const { enrolledPair } = await import("@/worker/testing/pg-cluster");
    const { OperationRunner } = await import("@/worker/operations");
    const { promoteExecutor } = await import("@/worker/db-ops");
    const { Recorder } = await import("@/worker/recorder");
    const { Monitor } = await import("@/worker/monitor");
    const { AutoFailover } = await import("@/worker/auto-failover");
    const { SyncKeeper } = await import("@/worker/db-sync");
    const { setReplicationMode } = await import("@/lib/operations/sync-mode");

    const runner = new OperationRunner(db, "bench-worker", { "db.promote": promoteExecutor() }, { listenUrl: console_.url });
    runner.start();
    running.unshift(() => runner.stop());
    const recorder = new Recorder(db);
    recorder.start();
    running.unshift(() => recorder.stop());
    // Production's thresholds and channel; a quick inventory refresh so each run's new pair is watched at once.
    const monitor = new Monitor(recorder, { refreshMs: 500 });
    await monitor.start();
    running.unshift(async () => monitor.stop());
    const keeper = new SyncKeeper(db);
    keeper.start();
    running.unshift(async () => keeper.stop());

    console.log(`Clusterdeck failover benchmark: ${runs} runs × ${MODES.length} fresh pairs (PostgreSQL 15, agents at 1 s)`);
    for (let r = 0; r < runs; r++) {
      for (const mode of MODES) {
        const depth = running.length;
        const enrolled = await enrolledPair(`bench-${r}-${mode.key}`, { intervalMs: 1000 });
        running.unshift(() => enrolled.stop());
        try {
          const auto = new AutoFailover(
            db,
            mode.fast ? { primaryView: (id) => monitor.postgresView(id) } : { everyMs: 1000, confirmMs: 3000, fastConfirmMs: null },
          );
          const { pair, clusterId } = enrolled;
          const c = new pg.Client({ connectionString: pair.primaryUrl });
          await c.connect();
          await c.query("CREATE TABLE bench_writes (id bigint PRIMARY KEY)");
          await c.end();
          await db.cluster.update({ where: { id: clusterId }, data: { autoFailover: true } });
          if (mode.synchronous) {
            await setReplicationMode(clusterId, { mode: "SYNC", quorum: 1, onLoss: "DEGRADE", reason: "bench: no acknowledged write lost" }, audit);
            for (const until = Date.now() + 30_000; ; await sleep(100)) {
              if (Date.now() > until) throw new Error("the replica never became the synchronous standby");
              const p = new pg.Client({ connectionString: pair.primaryUrl });
              await p.connect();
              const rows = (await p.query<{ s: string }>("SELECT sync_state AS s FROM pg_stat_replication")).rows;
              await p.end();
              if (rows[0]?.s === "sync") break;
            }
          }
          const deadline = Date.now() + 30_000;
          while ((await db.databaseInstance.count({ where: { clusterId, health: "UP" } })) !== 2) {
            if (Date.now() > deadline) throw new Error("the pair never came UP in the console");
            await sleep(100);
          }
          auto.start();
          running.unshift(async () => auto.stop());
          const loop = writeLoop(pair.primaryUrl, pair.replicaUrl);
          await sleep(1500);
          const t0 = performance.now();
          await pair.primary.kill();
          const first = await Promise.race([loop.done, sleep(90_000).then(() => NaN)]);
          if (Number.isNaN(first)) throw new Error(`${mode.label}: no write accepted on the replica within 90 s`);
          times[mode.key].push(first - t0);
          const q = new pg.Client({ connectionString: pair.replicaUrl });
          await q.connect();
          const held = new Set((await q.query<{ id: string }>("SELECT id FROM bench_writes")).rows.map((row) => Number(row.id)));
          await q.end();
          lost[mode.key].push(loop.acked.filter((id) => !held.has(id)).length);
          // Let the promotion finish before its pair goes away.
          for (let i = 0; i < 600; i++) {
            const op = await db.operation.findFirst({ where: { kind: "db.promote", subjectId: clusterId }, select: { state: true } });
            if (op && (op.state === "SUCCEEDED" || op.state === "FAILED")) break;
            await sleep(100);
          }
          await db.cluster.update({ where: { id: clusterId }, data: { autoFailover: false } });
          console.log(
            `run ${r + 1} ${mode.label.padEnd(26)} kill -9 → first write on the new primary ${(first - t0).toFixed(0)} ms; ${loop.acked.length} writes acknowledged before, ${lost[mode.key].at(-1)} lost`,
          );
        } finally {
          await stopDownTo(depth);
        }
      }
    }
  } finally {
    await stopDownTo(0);
  }
  const ratio = median(times.async) / median(times.previous);
  console.log(`\n=== ${runs} runs (median) ===`);
  for (const mode of MODES)
    console.log(`${mode.label.padEnd(26)} ${median(times[mode.key]).toFixed(0)} ms; acknowledged writes lost: ${lost[mode.key].join(", ")}`);
  console.log(`ratio new/previous (async, medians): ${ratio.toFixed(2)}`);
  const met = median(times.async) <= 3000 && median(times.sync) <= 3000;
  const syncLossless = lost.sync.every((n) => n === 0);
  console.log(`Targets: new median ≤ 3 s → ${met ? "MET" : "NOT MET"}; sync loses nothing → ${syncLossless ? "MET" : "NOT MET"}`);
  const previous = { name: "previous decision, async: kill -9 → first write on the new primary", unit: "ms", values: times.previous };
  writeResults(
    {
      name: "failover",
      params: { runs, agentIntervalMs: 1000 },
      figures: [
        { name: "new decision, async: kill -9 → first write on the new primary", unit: "ms", values: times.async },
        { name: "new decision, sync: kill -9 → first write on the new primary", unit: "ms", values: times.sync },
        previous,
      ],
      baseline: previous,
      ratio,
      ratioOf: "new / previous decision (async), medians",
      extra: { acknowledgedWritesLost: lost, within3s: met, syncLossless },
    },
    values,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
