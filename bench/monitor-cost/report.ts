// The text report and the JSON results (bench/common.ts writeResults) of a
// monitor-cost run, from its windows and the end-of-run facts. The targets
// (worker CPU ≤ Prometheus CPU, worker RSS < 300 MB, no false DOWN) are
// computed once here for both.
import type { SimStats } from "@/lab/sim-fleet";
import { f, max, median, min, table, writeResults } from "../common";
import type { NodeFacts, WindowResult } from "./sampling";
import type { WorkerLogCounts } from "./worker";

export type RunFacts = {
  params: {
    agents: number;
    seconds: number;
    windows: number;
    warmup: number;
    initialHealth: "UP" | "UNKNOWN";
    workerV8Flags: readonly string[];
    cpuProf: boolean;
  };
  results: WindowResult[];
  pids: { worker: number; prom: number; sim: number; postmaster: number | null };
  /** Read after the last window. */
  finalFacts: NodeFacts;
  badEvents: number;
  /** "kind n, …" over the whole run, or "none". */
  allEvents: string;
  simFinal: SimStats;
  workerLog: WorkerLogCounts;
};

/** Prints the report, then writes the results (--json, else bench/results/). */
export function report(run: RunFacts, options: { smoke?: boolean; json?: string }): void {
  const { results, finalFacts, badEvents, allEvents, simFinal } = run;
  const { agents: N, seconds, initialHealth } = run.params;
  const { worker: workerPid, prom: promPid, sim: simPid, postmaster } = run.pids;
  const { elected, deposed, errors: workerErrors, transitionWriteFailures } = run.workerLog;
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
  console.log(`  events in the whole run: ${allEvents}`);
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
      params: run.params,
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
    options,
  );
}
