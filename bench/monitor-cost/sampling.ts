// What is read while the fleet runs: the worker's NOTIFYs (LISTENed to as a
// web instance does), the nodes' state in the database, and, over each
// measured window, CPU and RSS from /proc next to the cadence counters of the
// simulator, the worker and Prometheus. The warm-up waits here too, until
// every one of them sees the whole fleet.
import { setTimeout as sleep } from "node:timers/promises";
import { cpuSeconds, f, hostCpu, max, min, quantile, rssMb, treeCpuSeconds } from "../common";
import type { Simulator } from "./fleet";
import type { Lifecycle } from "./lifecycle";
import type { Prometheus } from "./prometheus";
import type { MemSample, Worker } from "./worker";

export type NodeFacts = { fresh: number; up: number; bad: number; unknown: number; stalest: number | null };

export type Observer = {
  /** What the worker published since the last reset: metric points (their keys and age on arrival) and events. */
  bus: { points: number; events: number; keys: Set<string>; ages: number[] };
  nodeFacts: () => Promise<NodeFacts>;
  /** The newest HealthSample id: rows written between two reads. */
  maxSampleId: () => Promise<number>;
  /** "kind n, kind n" over every Event row, or "none". */
  eventSummary: () => Promise<string>;
  /** health.down and health.degraded Event rows. */
  badEvents: () => Promise<number>;
};

/** One connection to the database: LISTENs on the realtime channel and answers the queries above. */
export async function observe(run: Lifecycle, databaseUrl: string): Promise<Observer> {
  const pg = (await import("pg")).default;
  const { CHANNEL } = await import("@/lib/realtime/messages");
  const listenClient = new pg.Client({ connectionString: databaseUrl });
  run.onStop(() => listenClient.end().catch(() => {}));
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
  return {
    bus,
    nodeFacts: async () => {
      const [row] = (
        await listenClient.query(
          `SELECT count(*) FILTER (WHERE "lastSeenAt" > (now() AT TIME ZONE 'UTC') - interval '3 seconds')::int AS fresh,
                count(*) FILTER (WHERE "health" = 'UP')::int AS up,
                count(*) FILTER (WHERE "health" IN ('DOWN', 'DEGRADED'))::int AS bad,
                count(*) FILTER (WHERE "health" = 'UNKNOWN')::int AS unknown,
                extract(epoch FROM (now() AT TIME ZONE 'UTC') - min("lastSeenAt"))::float8 AS stalest
         FROM "Node"`,
        )
      ).rows as NodeFacts[];
      return row!;
    },
    maxSampleId: async () => Number(((await listenClient.query(`SELECT coalesce(max(id), 0)::bigint AS id FROM "HealthSample"`)).rows[0] as { id: string }).id),
    eventSummary: async () =>
      (await listenClient.query(`SELECT kind, count(*)::int AS n FROM "Event" GROUP BY kind ORDER BY kind`)).rows
        .map((r: { kind: string; n: number }) => `${r.kind} ${r.n}`)
        .join(", ") || "none",
    badEvents: async () =>
      ((await listenClient.query(`SELECT count(*)::int AS n FROM "Event" WHERE kind IN ('health.down', 'health.degraded')`)).rows[0] as { n: number }).n,
  };
}

/** Everything the run watches, as the warm-up and the windows need it. */
export type Watched = { N: number; sim: Simulator; prom: Prometheus; worker: Worker; observer: Observer; postmaster: number | null };

/**
 * Waits at least warmupS, and until every node has a fresh lastSeenAt, every
 * node is UP (unless stored UNKNOWN) and Prometheus reports every target up;
 * then 5 s more so the start-up burst (N UNKNOWN→UP transactions) is over.
 */
export async function warmUp({ N, prom, worker, observer }: Watched, opts: { warmupS: number; initialHealth: "UP" | "UNKNOWN" }): Promise<void> {
  const warmStart = Date.now();
  const warmDeadline = warmStart + Math.max(120_000, N * 100);
  let readyAt: number | null = null;
  let lastPrint = 0;
  for (;;) {
    if (worker.exitCode() !== null) throw new Error(`the worker exited (${worker.exitCode()}):\n${worker.output().slice(-3000)}`);
    if (prom.exitCode() !== null) throw new Error(`Prometheus exited (${prom.exitCode()})`);
    const facts = await observer.nodeFacts();
    const promUp = await prom.targetsUp().catch(() => 0);
    // With --initial-health unknown the worker announces every node once (N transactions);
    // transitions it fails to write are not retried, so UP === N is not required then.
    const allReady = facts.fresh === N && (opts.initialHealth === "UNKNOWN" || facts.up === N) && promUp === N;
    if (Date.now() - lastPrint > 3000) {
      lastPrint = Date.now();
      console.log(
        `  warm-up ${((Date.now() - warmStart) / 1000).toFixed(0).padStart(3)} s: worker fresh ${facts.fresh}/${N}, UP ${facts.up}/${N}; Prometheus targets up ${promUp}/${N}`,
      );
    }
    if (allReady && readyAt === null) readyAt = Date.now();
    if (!allReady) readyAt = null;
    if (readyAt !== null && Date.now() - readyAt >= 5000 && Date.now() - warmStart >= opts.warmupS * 1000) break;
    if (Date.now() > warmDeadline) {
      const { elected, deposed } = worker.scanLog();
      throw new Error(
        `not ready after ${((Date.now() - warmStart) / 1000).toFixed(0)} s: worker fresh ${facts.fresh}/${N}, UP ${facts.up}/${N}, Prometheus up ${promUp}/${N}; worker elected ${elected}×, deposed ${deposed}×\n${worker.output().slice(-3000)}`,
      );
    }
    await sleep(1000);
  }
  console.log(`all ${N} agents watched by the worker and scraped by Prometheus after ${((Date.now() - warmStart) / 1000).toFixed(1)} s of warm-up`);
}

export type WindowResult = {
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

/**
 * Measures one window of `seconds`: counters and CPU read at both ends, RSS and
 * the nodes' state sampled every second. Returns its figures and its span
 * (process.hrtime, for the CPU profile summary); prints its one-line summary.
 */
export async function measureWindow(
  { N, sim, prom, worker, observer, postmaster }: Watched,
  w: number,
  opts: { seconds: number; windows: number },
): Promise<{ result: WindowResult; span: [bigint, bigint] }> {
  const { bus } = observer;
  const cpuNow = () => ({
    worker: cpuSeconds(worker.pid),
    prom: cpuSeconds(prom.pid),
    sim: cpuSeconds(sim.pid),
    pg: postmaster ? treeCpuSeconds(postmaster) : NaN,
  });
  const s0 = await sim.stats();
  const wc0 = await worker.counters();
  const p0 = await prom.selfMetrics();
  const sample0 = await observer.maxSampleId();
  const rss = { worker: [] as number[], prom: [] as number[], sim: [] as number[] };
  const fresh: number[] = [];
  const up: number[] = [];
  const stalest: number[] = [];
  const h0 = hostCpu();
  bus.points = 0;
  bus.events = 0;
  bus.keys.clear();
  bus.ages = [];
  const c0 = cpuNow();
  const tStart = process.hrtime.bigint();
  const wallStart = Date.now();
  const end = tStart + BigInt(opts.seconds) * 1_000_000_000n;
  let tick = 0;
  while (process.hrtime.bigint() < end) {
    if (worker.exitCode() !== null) throw new Error(`the worker exited during window ${w + 1}:\n${worker.output().slice(-3000)}`);
    if (prom.exitCode() !== null) throw new Error(`Prometheus exited during window ${w + 1}`);
    rss.worker.push(rssMb(worker.pid));
    rss.prom.push(rssMb(prom.pid));
    rss.sim.push(rssMb(sim.pid));
    const facts = await observer.nodeFacts();
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
  const c1 = cpuNow();
  const h1 = hostCpu();
  const wallEnd = Date.now();
  const wall = Number(tEnd - tStart) / 1e9;
  const s1 = await sim.stats();
  const wc1 = await worker.counters();
  const p1 = await prom.selfMetrics();
  // The flush of the window's last second lands a moment later: give it that moment.
  await sleep(1200);
  const sample1 = await observer.maxSampleId();
  const promUpNow = await prom.query("sum(up)").catch(() => NaN);
  const r: WindowResult = {
    wall,
    workerCpu: c1.worker - c0.worker,
    promCpu: c1.prom - c0.prom,
    simCpu: c1.sim - c0.sim,
    pgCpu: c1.pg - c0.pg,
    hostBusy: (h1.busy - h0.busy) / (h1.total - h0.total),
    workerRss: rss.worker,
    workerMem: worker.memory(wallStart, wallEnd),
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
  const refused = Object.entries(s1.refused).filter(([, n]) => n > 0);
  console.log(
    `window ${w + 1}/${opts.windows}: worker ${f(r.workerCpu)} s CPU, Prometheus ${f(r.promCpu)} s → ratio ${f(r.workerCpu / r.promCpu, 3)}; ` +
      `worker RSS max ${f(max(r.workerRss), 0)} MB; host busy ${f(100 * r.hostBusy, 0)} %` +
      (s1.streamsDropped || refused.length ? `; simulator dropped ${s1.streamsDropped} streams, refused ${JSON.stringify(Object.fromEntries(refused))}` : ""),
  );
  return { result: r, span: [tStart, tEnd] };
}
