// Stored metric series for charts, read from HealthSample. The worker writes
// RAW rows (10 s averages); a roll-up job may add MINUTE and HOUR rows. Each
// range prefers one resolution and answers in buckets (date_bin) wide enough
// to stay under MAX_POINTS. Where the preferred rows are missing (the roll-up
// has not run yet, or lags behind), RAW rows stand in for them, aggregated
// into the same buckets.
import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { notFound } from "@/lib/common/errors";
import {
  MAX_POINTS,
  MAX_SERIES,
  rangeSpecs,
  subjectKey,
  type HealthValue,
  type MetricSeries,
  type MetricsAnswer,
  type MetricsQuery,
  type MetricSubjectType,
  type SeriesPoint,
  type StoredResolution,
} from "@/lib/metrics/schemas";

type Subject = { id: string; name: string; clusterId: string; health: HealthValue; role: "PRIMARY" | "REPLICA" | null; activeSessions?: number };

const subjectLabel: Record<MetricSubjectType, string> = { NODE: "Node", LOAD_BALANCER: "Load balancer", DATABASE: "Database instance" };

async function subjects(type: MetricSubjectType, subjectId: string | undefined, clusterId: string | undefined): Promise<Subject[]> {
  const where = { ...(subjectId ? { id: subjectId } : {}), ...(clusterId ? { clusterId } : {}) };
  const base = { id: true, name: true, clusterId: true, health: true } as const;
  if (type === "NODE") return (await db.node.findMany({ where, select: { ...base, activeSessions: true } })).map((s) => ({ ...s, role: null }));
  if (type === "LOAD_BALANCER") return (await db.loadBalancer.findMany({ where, select: base })).map((s) => ({ ...s, role: null }));
  return db.databaseInstance.findMany({ where, select: { ...base, role: true } });
}

/**
 * The MAX_SERIES nodes a chart shows, chosen in SQL (unhealthy first, then
 * the most sessions now), and how many matched: at 2,000 nodes, loading
 * every row to rank it in JavaScript was most of this read.
 */
async function busiestNodes(clusterId: string | undefined): Promise<{ list: Subject[]; total: number }> {
  const [rows, total] = await Promise.all([
    db.$queryRaw<{ id: string; name: string; clusterId: string; health: HealthValue; activeSessions: number }[]>`
      SELECT "id", "name", "clusterId", "health"::text AS "health", "activeSessions"
      FROM "Node"
      ${clusterId ? Prisma.sql`WHERE "clusterId" = ${clusterId}` : Prisma.empty}
      ORDER BY CASE "health" WHEN 'DOWN' THEN 0 WHEN 'UNREACHABLE' THEN 1 WHEN 'DEGRADED' THEN 2 ELSE 3 END, "activeSessions" DESC, "name"
      LIMIT ${MAX_SERIES}`,
    db.node.count({ where: clusterId ? { clusterId } : {} }),
  ]);
  return { list: rows.map((r) => ({ ...r, role: null })), total };
}

/**
 * Nodes: their sessions now, which the worker keeps on the row every second.
 * Reading samples instead costs one index probe per node, which at 2,000
 * nodes made this the slowest read of the dashboard.
 */
function nodeLoad(list: Subject[]): Awaited<ReturnType<typeof recentLoad>> {
  return new Map(list.map((s) => [s.id, { subjectId: s.id, sessions: s.activeSessions ?? null, requestRate: null, lagBytes: null }]));
}

/** How busy each subject has been over the last five minutes (RAW rows only: cheap, and what matters now). */
async function recentLoad(type: MetricSubjectType, ids: string[], to: Date) {
  const since = new Date(to.getTime() - 5 * 60_000);
  const rows = await db.$queryRaw<{ subjectId: string; sessions: number | null; requestRate: number | null; lagBytes: number | null }[]>`
    SELECT "subjectId",
           avg("sessions")::float8 AS "sessions",
           avg("requestRate")::float8 AS "requestRate",
           max("lagBytes")::float8 AS "lagBytes"
    FROM "HealthSample"
    WHERE "subjectType" = ${type}::"SubjectType" AND "resolution" = 'RAW'
      AND "subjectId" = ANY(${ids}::text[])
      AND "at" >= ${sqlUtc(since)} AND "at" <= ${sqlUtc(to)}
    GROUP BY "subjectId"`;
  return new Map(rows.map((r) => [r.subjectId, r]));
}

const unhealthy = (h: HealthValue) => (h === "DOWN" ? 0 : h === "UNREACHABLE" ? 1 : h === "DEGRADED" ? 2 : 3);

/** Unhealthy first (in an incident they matter most), then busiest, then by name. */
function rank(list: Subject[], load: Awaited<ReturnType<typeof recentLoad>>): Subject[] {
  const score = (s: Subject) => {
    const l = load.get(s.id);
    return [l?.sessions ?? -1, l?.requestRate ?? -1, l?.lagBytes ?? -1];
  };
  return [...list].sort((a, b) => {
    const h = unhealthy(a.health) - unhealthy(b.health);
    if (h !== 0) return h;
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i]! - sa[i]!;
    return a.name.localeCompare(b.name, "en");
  });
}

type BucketRow = {
  subjectId: string;
  at: number;
  healthRank: number;
  sessions: number | null;
  requestRate: number | null;
  latencyMs: number | null;
  cpu: number | null;
  memory: number | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  rawRows: number;
  rolledRows: number;
};

const healthByRank: HealthValue[] = ["UP", "UNKNOWN", "DEGRADED", "UNREACHABLE", "DOWN"];

/** Averages come back with 17 digits; a chart shows three or four. Halves the answer's size. */
const round = (v: number | null, per: number) => (v === null ? null : Math.round(v * per) / per);

/**
 * `at` is a timestamp without time zone holding UTC. Times go in as ISO text
 * with an offset and are converted in SQL, so the session's TimeZone setting
 * cannot shift them.
 */
function sqlUtc(date: Date) {
  return Prisma.sql`(CAST(${date.toISOString()} AS timestamptz) AT TIME ZONE 'UTC')`;
}

async function buckets(
  type: MetricSubjectType,
  ids: string[],
  from: Date,
  to: Date,
  preferred: StoredResolution,
  preferredSeconds: number,
  bucketSeconds: number,
) {
  return db.$queryRaw<BucketRow[]>`
    WITH preferred AS (
      SELECT "subjectId", max("at") AS "last"
      FROM "HealthSample"
      WHERE "subjectType" = ${type}::"SubjectType" AND "resolution" = ${preferred}::"SampleResolution"
        AND "subjectId" = ANY(${ids}::text[]) AND "at" >= ${sqlUtc(from)} AND "at" <= ${sqlUtc(to)}
      GROUP BY "subjectId"
    ),
    source AS (
      SELECT s.*
      FROM "HealthSample" s
      LEFT JOIN preferred p ON p."subjectId" = s."subjectId"
      WHERE s."subjectType" = ${type}::"SubjectType"
        AND s."subjectId" = ANY(${ids}::text[]) AND s."at" >= ${sqlUtc(from)} AND s."at" <= ${sqlUtc(to)}
        AND (
          s."resolution" = ${preferred}::"SampleResolution"
          -- RAW stands in where the roll-up has nothing: none at all, or after its newest row.
          OR (s."resolution" = 'RAW' AND (p."last" IS NULL OR s."at" >= p."last" + ${preferredSeconds}::int * interval '1 second'))
        )
    )
    SELECT "subjectId",
           (extract(epoch FROM date_bin(${bucketSeconds}::int * interval '1 second', "at", TIMESTAMP '1970-01-01')) * 1000)::float8 AS "at",
           max(CASE "health" WHEN 'DOWN' THEN 4 WHEN 'UNREACHABLE' THEN 3 WHEN 'DEGRADED' THEN 2 WHEN 'UNKNOWN' THEN 1 ELSE 0 END)::int AS "healthRank",
           avg("sessions")::float8 AS "sessions",
           avg("requestRate")::float8 AS "requestRate",
           avg("latencyMs")::float8 AS "latencyMs",
           avg("cpu")::float8 AS "cpu",
           avg("memory")::float8 AS "memory",
           max("lagBytes")::float8 AS "lagBytes",
           max("lagSeconds")::float8 AS "lagSeconds",
           (count(*) FILTER (WHERE "resolution" = 'RAW'))::int AS "rawRows",
           (count(*) FILTER (WHERE "resolution" <> 'RAW'))::int AS "rolledRows"
    FROM source
    GROUP BY 1, 2
    ORDER BY 1, 2`;
}

export async function readMetrics(query: MetricsQuery, now: Date = new Date()): Promise<MetricsAnswer> {
  const spec = rangeSpecs[query.range];
  const to = now;
  const from = new Date(now.getTime() - spec.ms);
  const manyNodes = query.subjectType === "NODE" && !query.subjectId ? await busiestNodes(query.clusterId) : null;
  const found = manyNodes ? manyNodes.list : await subjects(query.subjectType, query.subjectId, query.clusterId);
  if (query.subjectId && found.length === 0) throw notFound(subjectLabel[query.subjectType]);

  const ids = found.map((s) => s.id);
  const load = query.subjectType === "NODE" ? nodeLoad(found) : found.length > 1 ? await recentLoad(query.subjectType, ids, to) : new Map();
  // The same order everywhere (ties by name as people read them), for SQL's choice too.
  const chosen = found.length > 1 ? rank(found, load).slice(0, MAX_SERIES) : found;
  const rows = chosen.length
    ? await buckets(
        query.subjectType,
        chosen.map((s) => s.id),
        from,
        to,
        spec.stored,
        spec.storedSeconds,
        spec.bucketSeconds,
      )
    : [];

  const points = new Map<string, SeriesPoint[]>();
  const sources = new Set<StoredResolution>();
  for (const r of rows) {
    if (r.rawRows > 0) sources.add("RAW");
    if (r.rolledRows > 0) sources.add(spec.stored);
    let list = points.get(r.subjectId);
    if (!list) points.set(r.subjectId, (list = []));
    list.push({
      at: r.at,
      health: healthByRank[r.healthRank] ?? "UNKNOWN",
      sessions: round(r.sessions, 1),
      requestRate: round(r.requestRate, 1000),
      latencyMs: round(r.latencyMs, 1000),
      cpu: round(r.cpu, 10_000),
      memory: round(r.memory, 10_000),
      lagBytes: round(r.lagBytes, 1),
      lagSeconds: round(r.lagSeconds, 1000),
    });
  }

  const series: MetricSeries[] = chosen.map((s) => ({
    key: subjectKey(query.subjectType, s.id),
    subjectId: s.id,
    name: s.name,
    clusterId: s.clusterId,
    health: s.health,
    role: s.role,
    // The bucket width keeps a series under the cap; this is the guarantee.
    points: (points.get(s.id) ?? []).slice(-MAX_POINTS),
  }));

  return {
    range: query.range,
    from: from.getTime(),
    to: to.getTime(),
    resolutionSeconds: spec.bucketSeconds,
    preferred: spec.stored,
    sources: (["RAW", "MINUTE", "HOUR"] as const).filter((r) => sources.has(r)),
    totalSeries: manyNodes ? manyNodes.total : found.length,
    series,
  };
}
