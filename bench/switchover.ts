// Switchover benchmark (issue 15): a planned switchover under client writes,
// with the apps holding writes, without, and through PgBouncer (PAUSEd by the
// promotion, no app hold), alternated in the same run.
//
//   npm run bench -- switchover [--runs 3] [--smoke] [--json PATH]
//
// --smoke: one run (--runs given still wins).
//
// Each switchover starts on a fresh streaming pair (lab/postgres.ts,
// PostgreSQL 15) with an agent beside each member (allowed to stop its
// server), two demo app servers writing to the primary through their
// settings files, each with an app agent (able to hold writes, or not), and
// the worker's operation runner. Two clients write through the apps in a loop
// from 1 s before the promotion is requested to 1 s after it ends. The
// PgBouncer arm has no apps: a PgBouncer (transaction mode) in front of the
// primary with its agent, enrolled as the cluster's pooler, and two clients
// INSERTing through it back to back, each on its own connection. Measured:
// failed client writes, and the p99 of write latency (failed ones included)
// while the promotion runs, and the longest write then (a held one).
// Targets with the hold and through PgBouncer: 0 failed writes, p99 ≤ 1 s.
import os from "node:os";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { f, max, median, quantile, RESULT_OPTIONS, writeResults, runningParts, benchConsole, table } from "./common";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { running, stopDownTo } = runningParts();

type Outcome = { failed: number; writes: number; p99Ms: number; maxMs: number; switchMs: number; lost: number };
type Arm = "hold" | "plain" | "pooler";
const ARMS: Arm[] = ["hold", "plain", "pooler"];
const ARM_LABEL: Record<Arm, string> = { hold: "with the app hold ", plain: "without any hold  ", pooler: "through PgBouncer " };

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, ...RESULT_OPTIONS } });
  const runs = Number(values.runs ?? (values.smoke ? 1 : 3));
  if (!(runs > 0)) throw new Error("--runs must be a positive number");

  const results: Record<Arm, Outcome[]> = { hold: [], plain: [], pooler: [] };
  try {
    const console_ = await benchConsole("switchover", running);
    const { db } = await import("@/lib/db");
    const { systemActor } = await import("@/lib/common/actor");
    const audit = { actor: systemActor("bench"), requestId: "bench-switchover", clientIp: null };
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const { OperationRunner } = await import("@/worker/operations");
    const { deployExecutor } = await import("@/worker/deploy");
    const { promoteExecutor } = await import("@/worker/db-ops");
    const { enrolledPair } = await import("@/worker/testing/pg-cluster");
    const { enrolledApps, writeLoop } = await import("@/worker/testing/app-nodes");
    const { enrolledPooler, pooledWriteLoop } = await import("@/worker/testing/pg-pooler");
    const { query } = await import("@/lab/postgres");
    const { LAB_DATABASE } = await import("@/lab/pgbouncer");
    const runner = new OperationRunner(db, "bench-worker", { "config.deploy": deployExecutor(), "db.promote": promoteExecutor() }, { listenUrl: console_.url });
    runner.start();
    running.unshift(() => runner.stop());

    async function switchover(name: string, arm: Arm): Promise<Outcome> {
      const depth = running.length;
      try {
        const enrolled = await enrolledPair(name, { control: true, intervalMs: 1000 });
        running.unshift(() => enrolled.stop());
        let load: Awaited<ReturnType<typeof pooledWriteLoop>>;
        // Where the clients' rows are: the apps write to the server's own database, the pooler's clients to its "app".
        let written = enrolled.pair.replicaUrl;
        if (arm === "pooler") {
          const pooler = await enrolledPooler(enrolled, { intervalMs: 1000 });
          running.unshift(() => pooler.stop());
          load = await pooledWriteLoop(pooler.bouncer.url, 2);
          const u = new URL(written);
          u.pathname = `/${LAB_DATABASE}`;
          written = u.toString();
        } else {
          const apps = await enrolledApps(enrolled.clusterId, enrolled.pair.primaryUrl, { hold: arm === "hold" });
          running.unshift(() => apps.stop());
          load = writeLoop(apps.apps);
        }
        running.unshift(() => load.stop());
        await sleep(1000);
        const check = await promotionCheck(enrolled.clusterId);
        const t0 = performance.now();
        const op = await startPromotion(
          enrolled.clusterId,
          { candidateId: enrolled.replicaId, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason: "bench", force: false },
          audit,
          null,
        );
        let state = "RUNNING";
        for (;;) {
          ({ state } = await db.operation.findUniqueOrThrow({ where: { id: op.id }, select: { state: true } }));
          if (state === "SUCCEEDED" || state === "FAILED") break;
          if (performance.now() - t0 > 120_000) throw new Error("the switchover did not end in 2 min");
          await sleep(20);
        }
        const t1 = performance.now();
        if (state !== "SUCCEEDED") throw new Error(`the switchover ${op.id} ended ${state}`);
        await sleep(1000);
        await load.stop();
        const during = load.samples.filter((s) => s.at >= t0 && s.at <= t1).map((s) => s.ms);
        const table = arm === "pooler" ? "pooled_writes" : "writes";
        const stored = new Set((await query<{ payload: string }>(written, `SELECT payload FROM ${table}`)).map((r) => r.payload));
        return {
          failed: load.samples.filter((s) => !s.ok).length,
          writes: load.samples.length,
          p99Ms: quantile(during, 0.99),
          // A held write waits for most of the switch; at two clients, few writes wait, and the p99 can hide them.
          maxMs: max(during),
          switchMs: t1 - t0,
          lost: load.acked.filter((p) => !stored.has(p)).length,
        };
      } finally {
        await stopDownTo(depth);
      }
    }

    console.log(
      `Clusterdeck switchover benchmark: ${runs} runs, each a switchover with the apps' write hold, one without, and one through PgBouncer, on fresh pairs (PostgreSQL 15)`,
    );
    console.log(
      `host: ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}, node ${process.version}`,
    );
    for (let r = 0; r < runs; r++) {
      // Rotated, so no arm always runs on a warmer machine.
      for (const arm of [...ARMS.slice(r % 3), ...ARMS.slice(0, r % 3)]) {
        const o = await switchover(`bench-${r}-${arm}`, arm);
        results[arm].push(o);
        console.log(
          `run ${r + 1} ${ARM_LABEL[arm]}: ${o.failed} of ${o.writes} writes failed · p99 during the switch ${f(o.p99Ms, 0)} ms, longest ${f(o.maxMs, 0)} ms · switchover ${f(o.switchMs, 0)} ms · acknowledged but lost ${o.lost}`,
        );
      }
    }
  } finally {
    await stopDownTo(0);
  }
  const of = (k: Arm, field: keyof Outcome) => results[k].map((o) => o[field]);
  const ratios = results.hold.map((o, i) => o.p99Ms / results.plain[i]!.p99Ms);
  const poolerRatios = results.pooler.map((o, i) => o.p99Ms / results.plain[i]!.p99Ms);
  const failedWithHold = max(of("hold", "failed"));
  const p99WithHold = max(of("hold", "p99Ms"));
  const failedPooler = max(of("pooler", "failed"));
  const p99Pooler = max(of("pooler", "p99Ms"));
  const cell = (a: Arm, field: keyof Outcome) => `${f(median(of(a, field)), 0)} (${f(max(of(a, field)), 0)})`;
  console.log(`\n=== ${runs} runs: median (max) ===`);
  console.log(
    table(
      ["arm", "failed writes", "writes", "p99 in switch ms", "longest ms", "switchover ms", "acked but lost"],
      ARMS.map((a) => [ARM_LABEL[a].trim(), cell(a, "failed"), cell(a, "writes"), cell(a, "p99Ms"), cell(a, "maxMs"), cell(a, "switchMs"), cell(a, "lost")]),
    ),
  );
  console.log(`ratio p99 / without (per run, median): app hold ${f(median(ratios))} · PgBouncer ${f(median(poolerRatios))}`);
  const zeroFailed = failedWithHold === 0;
  const p99Met = p99WithHold <= 1000;
  console.log(`Targets (with the app hold, every run): 0 failed writes → ${zeroFailed ? "MET" : "NOT MET"}; p99 ≤ 1 s → ${p99Met ? "MET" : "NOT MET"}`);
  console.log(
    `Targets (through PgBouncer, every run):  0 failed writes → ${failedPooler === 0 ? "MET" : "NOT MET"}; p99 ≤ 1 s → ${p99Pooler <= 1000 ? "MET" : "NOT MET"}`,
  );
  const baseline = { name: "write p99 during the switchover, without the hold", unit: "ms", values: of("plain", "p99Ms") };
  writeResults(
    {
      name: "switchover",
      params: { runs },
      figures: [
        { name: "write p99 during the switchover, with the hold", unit: "ms", values: of("hold", "p99Ms") },
        baseline,
        { name: "longest write during the switchover, with the hold", unit: "ms", values: of("hold", "maxMs") },
        { name: "longest write during the switchover, without the hold", unit: "ms", values: of("plain", "maxMs") },
        { name: "switchover duration, with the hold", unit: "ms", values: of("hold", "switchMs") },
        { name: "switchover duration, without the hold", unit: "ms", values: of("plain", "switchMs") },
        { name: "write p99 during the switchover, through PgBouncer", unit: "ms", values: of("pooler", "p99Ms") },
        { name: "longest write during the switchover, through PgBouncer", unit: "ms", values: of("pooler", "maxMs") },
        { name: "switchover duration, through PgBouncer", unit: "ms", values: of("pooler", "switchMs") },
      ],
      baseline,
      ratio: median(ratios),
      ratioOf: "write p99 with the hold / without, per run, then median",
      extra: {
        failedWritesWithHold: of("hold", "failed"),
        failedWritesWithoutHold: of("plain", "failed"),
        writesWithHold: of("hold", "writes"),
        writesWithoutHold: of("plain", "writes"),
        acknowledgedLostWithHold: of("hold", "lost"),
        acknowledgedLostWithoutHold: of("plain", "lost"),
        failedWritesThroughPgbouncer: of("pooler", "failed"),
        writesThroughPgbouncer: of("pooler", "writes"),
        acknowledgedLostThroughPgbouncer: of("pooler", "lost"),
        pgbouncerP99RatioToWithout: median(poolerRatios),
        zeroFailedTarget: zeroFailed,
        p99Within1sTarget: p99Met,
        zeroFailedTargetThroughPgbouncer: failedPooler === 0,
        p99Within1sTargetThroughPgbouncer: p99Pooler <= 1000,
      },
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
