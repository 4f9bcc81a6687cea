// Protects: what the charts are drawn from — the resolution each range reads,
// RAW rows standing in (aggregated with date_bin) where the roll-up has not
// written MINUTE/HOUR rows, the caps on series and points, BigInt lag as a
// number, and an honest empty answer.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { metricsQuery, MAX_POINTS, MAX_SERIES, type MetricsQuery } from "@/lib/metrics/schemas";

setupTestDatabase();

// A fixed "now" on a bucket boundary of every range, so bucket edges are known.
const NOW = new Date("2026-03-10T12:00:00.000Z");
const at = (msBefore: number) => new Date(NOW.getTime() - msBefore);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

async function load() {
  const { db } = await import("@/lib/db");
  const { readMetrics } = await import("@/lib/metrics/service");
  const read = (q: Partial<MetricsQuery> & Pick<MetricsQuery, "subjectType">) => readMetrics(metricsQuery.parse(q), NOW);
  return { db, read };
}

type Sample = {
  subjectType?: "NODE" | "LOAD_BALANCER" | "DATABASE";
  subjectId: string;
  at: Date;
  resolution?: "RAW" | "MINUTE" | "HOUR";
  health?: "UP" | "DEGRADED" | "DOWN" | "UNKNOWN";
  sessions?: number | null;
  requestRate?: number | null;
  latencyMs?: number | null;
  cpu?: number | null;
  memory?: number | null;
  lagBytes?: bigint | null;
  lagSeconds?: number | null;
};

async function samples(rows: Sample[]) {
  const { db } = await load();
  await db.healthSample.createMany({
    data: rows.map((r) => ({ subjectType: "NODE" as const, resolution: "RAW" as const, health: "UP" as const, ...r })),
  });
}

let clusterId = "";
let hosts = 0;

beforeAll(async () => {
  const { db } = await load();
  clusterId = (await db.cluster.create({ data: { name: "metrics" } })).id;
});

async function node(name: string, extra: { health?: "UP" | "DOWN" | "DEGRADED"; cluster?: string; sessions?: number } = {}) {
  const { db } = await load();
  const n = await db.node.create({
    data: {
      clusterId: extra.cluster ?? clusterId,
      name,
      host: `10.9.0.${++hosts}`,
      port: 8080,
      health: extra.health ?? "UP",
      activeSessions: extra.sessions ?? 0,
    },
  });
  return n.id;
}

describe("metrics query", () => {
  it("is strict and says what is wrong", () => {
    expect(metricsQuery.safeParse({ subjectType: "NODE", range: "2h" }).success).toBe(false);
    expect(metricsQuery.safeParse({ subjectType: "USER" }).success).toBe(false);
    expect(metricsQuery.safeParse({ subjectType: "NODE", extra: "1" }).success).toBe(false);
    expect(metricsQuery.safeParse({ subjectType: "NODE", subjectId: "../etc" }).success).toBe(false);
    expect(metricsQuery.parse({ subjectType: "NODE" }).range).toBe("15m");
  });
});

describe("readMetrics", () => {
  it("reads RAW 10 s samples for 15m and 1h, oldest first, in the window only", async () => {
    const { read } = await load();
    const id = await node("raw-1");
    await samples([
      { subjectId: id, at: at(30 * SEC), sessions: 30, cpu: 0.3 },
      { subjectId: id, at: at(20 * SEC), sessions: 20, cpu: 0.2 },
      { subjectId: id, at: at(10 * SEC), sessions: 10, cpu: 0.1 },
      { subjectId: id, at: at(40 * MIN), sessions: 400 },
      { subjectId: id, at: at(2 * HOUR), sessions: 9999 },
      // A roll-up row is not what the short ranges read.
      { subjectId: id, at: at(1 * MIN), resolution: "MINUTE", sessions: 5555 },
    ]);

    const short = await read({ subjectType: "NODE", subjectId: id, range: "15m" });
    expect(short.resolutionSeconds).toBe(10);
    expect(short.preferred).toBe("RAW");
    expect(short.sources).toEqual(["RAW"]);
    expect(short.to - short.from).toBe(15 * MIN);
    expect(short.series).toHaveLength(1);
    expect(short.series[0]!.key).toBe(`NODE:${id}`);
    expect(short.series[0]!.name).toBe("raw-1");
    expect(short.series[0]!.points.map((p) => p.sessions)).toEqual([30, 20, 10]);
    expect(short.series[0]!.points.map((p) => p.at)).toEqual([at(30 * SEC), at(20 * SEC), at(10 * SEC)].map((d) => d.getTime()));

    const hour = await read({ subjectType: "NODE", subjectId: id, range: "1h" });
    expect(hour.series[0]!.points.map((p) => p.sessions)).toEqual([400, 30, 20, 10]);
  });

  it("reads MINUTE rows for 24h and HOUR rows for 7d when the roll-up has written them", async () => {
    const { read } = await load();
    const id = await node("rolled-1");
    await samples([
      { subjectId: id, at: at(10 * HOUR), resolution: "MINUTE", sessions: 100 },
      { subjectId: id, at: at(10 * HOUR - MIN), resolution: "MINUTE", sessions: 200 },
      { subjectId: id, at: at(3 * MIN), resolution: "MINUTE", sessions: 50 },
      // RAW rows covered by the roll-up are not read twice…
      { subjectId: id, at: at(10 * HOUR - 30 * SEC), sessions: 100000 },
      { subjectId: id, at: at(3 * MIN - 20 * SEC), sessions: 100000 },
      { subjectId: id, at: at(2 * DAY), resolution: "HOUR", sessions: 7 },
      { subjectId: id, at: at(3 * HOUR), resolution: "HOUR", sessions: 8 },
    ]);
    const day = await read({ subjectType: "NODE", subjectId: id, range: "24h" });
    expect(day.preferred).toBe("MINUTE");
    expect(day.sources).toEqual(["MINUTE"]);
    // Minutes are averaged into 3-minute buckets, so 24 h stays under the point cap.
    expect(day.resolutionSeconds).toBe(180);
    expect(day.series[0]!.points.map((p) => p.sessions)).toEqual([150, 50]);
    expect(day.series[0]!.points[0]!.at % (180 * SEC)).toBe(0);

    const week = await read({ subjectType: "NODE", subjectId: id, range: "7d" });
    expect(week.preferred).toBe("HOUR");
    expect(week.resolutionSeconds).toBe(3600);
    // …but RAW rows after the newest HOUR row (09:00) fill the end of the week.
    expect(week.sources).toEqual(["RAW", "HOUR"]);
    expect(week.series[0]!.points.map((p) => p.sessions)).toEqual([7, 8, 100000]);
  });

  it("falls back to RAW rows aggregated with date_bin when no roll-up rows exist yet", async () => {
    const { read } = await load();
    const id = await node("fallback-1");
    const base = 6 * HOUR; // on a 3-minute and an hour boundary before NOW
    await samples([
      { subjectId: id, at: at(base), sessions: 10, requestRate: 1, latencyMs: 10, cpu: 0.1, memory: 0.5, health: "UP" },
      { subjectId: id, at: at(base - 10 * SEC), sessions: 20, requestRate: 3, latencyMs: 30, cpu: 0.3, memory: 0.5, health: "DOWN" },
      { subjectId: id, at: at(base - 20 * SEC), sessions: 30, requestRate: 5, latencyMs: 20, cpu: 0.2, memory: 0.5, health: "UP" },
      { subjectId: id, at: at(base - 4 * MIN), sessions: 100, health: "DEGRADED" },
    ]);
    const day = await read({ subjectType: "NODE", subjectId: id, range: "24h" });
    expect(day.sources).toEqual(["RAW"]);
    expect(day.series[0]!.points).toEqual([
      // Averages over the bucket, and its worst health: a DOWN blip is not averaged away.
      {
        at: at(base).getTime(),
        health: "DOWN",
        sessions: 20,
        requestRate: 3,
        latencyMs: 20,
        cpu: expect.closeTo(0.2, 9),
        memory: 0.5,
        lagBytes: null,
        lagSeconds: null,
      },
      {
        at: at(base - 3 * MIN).getTime(),
        health: "DEGRADED",
        sessions: 100,
        requestRate: null,
        latencyMs: null,
        cpu: null,
        memory: null,
        lagBytes: null,
        lagSeconds: null,
      },
    ]);

    const week = await read({ subjectType: "NODE", subjectId: id, range: "7d" });
    expect(week.sources).toEqual(["RAW"]);
    expect(week.series[0]!.points.map((p) => [p.at, p.sessions])).toEqual([[at(base).getTime(), 40]]);
  });

  it("returns replication lag as numbers, the bucket's worst lag", async () => {
    const { db, read } = await load();
    const dbId = (await db.databaseInstance.create({ data: { clusterId, name: "pg-replica", host: "10.8.0.2", port: 5432, role: "REPLICA" } })).id;
    await samples([
      { subjectType: "DATABASE", subjectId: dbId, at: at(2 * HOUR), lagBytes: 9_007_199_254_740_000n, lagSeconds: 2 },
      { subjectType: "DATABASE", subjectId: dbId, at: at(2 * HOUR - 10 * SEC), lagBytes: 1024n, lagSeconds: 0.5 },
    ]);
    const day = await read({ subjectType: "DATABASE", subjectId: dbId, range: "24h" });
    const [p] = day.series[0]!.points;
    expect(typeof p!.lagBytes).toBe("number");
    expect(p!.lagBytes).toBe(9_007_199_254_740_000);
    expect(p!.lagSeconds).toBe(2);
    expect(day.series[0]!.role).toBe("REPLICA");
    // And the answer survives JSON as the API sends it.
    const { toJson } = await import("@/lib/http/json");
    expect(() => JSON.parse(toJson(day))).not.toThrow();
  });

  it("keeps a series under the point cap over a full day of 10 s samples", async () => {
    const { read } = await load();
    const id = await node("dense-1");
    const rows: Sample[] = [];
    for (let t = 0; t < 24 * HOUR; t += 10 * SEC) rows.push({ subjectId: id, at: at(t), sessions: 1 });
    await samples(rows);
    for (const range of ["1h", "24h", "7d"] as const) {
      const answer = await read({ subjectType: "NODE", subjectId: id, range });
      const n = answer.series[0]!.points.length;
      expect(n, range).toBeLessThanOrEqual(MAX_POINTS);
      expect(n, range).toBeGreaterThan(0);
    }
    const day = await read({ subjectType: "NODE", subjectId: id, range: "24h" });
    expect(day.series[0]!.points.length).toBeGreaterThanOrEqual(479);
  });

  it("caps the number of series, unhealthy first, then the busiest (sessions now), and says how many matched", async () => {
    const { db, read } = await load();
    const cluster = (await db.cluster.create({ data: { name: "many" } })).id;
    const ids: string[] = [];
    for (let i = 0; i < MAX_SERIES + 10; i++) ids.push(await node(`m-${String(i).padStart(2, "0")}`, { cluster, sessions: i * 10 }));
    const down = await node("m-down", { cluster, health: "DOWN" });
    // Business grows with i (the worker keeps activeSessions on the row); m-down reports nothing at all.
    await samples(ids.map((id, i) => ({ subjectId: id, at: at(MIN), sessions: i * 10, requestRate: 1 })));

    const answer = await read({ subjectType: "NODE", clusterId: cluster, range: "15m" });
    expect(answer.totalSeries).toBe(MAX_SERIES + 11);
    expect(answer.series).toHaveLength(MAX_SERIES);
    expect(answer.series[0]!.subjectId).toBe(down);
    expect(answer.series[0]!.health).toBe("DOWN");
    expect(answer.series[0]!.points).toEqual([]);
    expect(answer.series[1]!.name).toBe(`m-${MAX_SERIES + 9}`);
    expect(answer.series.at(-1)!.name).toBe("m-11");
    // The quietest ten are the ones left out.
    expect(answer.series.map((s) => s.name)).not.toContain("m-00");
  });

  it("filters by cluster and answers empty, not wrong, when nothing has been recorded", async () => {
    const { db, read } = await load();
    const empty = (await db.cluster.create({ data: { name: "empty" } })).id;
    const none = await read({ subjectType: "LOAD_BALANCER", clusterId: empty, range: "1h" });
    expect(none).toMatchObject({ range: "1h", totalSeries: 0, series: [], sources: [] });

    const quiet = await node("quiet", { cluster: empty });
    const answer = await read({ subjectType: "NODE", clusterId: empty, range: "7d" });
    expect(answer.series).toEqual([{ key: `NODE:${quiet}`, subjectId: quiet, name: "quiet", clusterId: empty, health: "UP", role: null, points: [] }]);
  });

  it("refuses an unknown subject with 404", async () => {
    const { read } = await load();
    await expect(read({ subjectType: "NODE", subjectId: "zzzznotfound000000000000" })).rejects.toMatchObject({ code: "not_found" });
  });
});
