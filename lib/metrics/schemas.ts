// Metric series: the query the API takes, the ranges a chart offers and the
// answer's shape. Imported by the handler, the service and the browser alike,
// so nothing here touches the server.
import { z } from "zod";
import { idSchema } from "@/lib/common/schemas";
import { dbRoleValues, healthValues } from "@/lib/inventory/schemas";

export const metricRangeValues = ["15m", "1h", "24h", "7d"] as const;
export type MetricRange = (typeof metricRangeValues)[number];
export const metricRange = z.enum(metricRangeValues);
// 15 minutes: during an incident the last minutes matter, and live points fill the chart.
export const defaultRange: MetricRange = "15m";

export const metricSubjectTypes = ["NODE", "LOAD_BALANCER", "DATABASE"] as const;
export type MetricSubjectType = (typeof metricSubjectTypes)[number];

export const metricsQuery = z.strictObject({
  subjectType: z.enum(metricSubjectTypes),
  /** One subject; without it, every subject of the type (optionally of one cluster). */
  subjectId: idSchema.optional(),
  clusterId: idSchema.optional(),
  range: metricRange.default(defaultRange),
});
export type MetricsQuery = z.output<typeof metricsQuery>;

export type StoredResolution = "RAW" | "MINUTE" | "HOUR";

/**
 * What each range reads and at what width it answers. The bucket is the
 * stored resolution, widened where needed so a series never exceeds
 * MAX_POINTS (24 h of minutes would be 1440 points; in 3-minute buckets 480).
 * Live points (1 a second) are merged in for the short ranges only, in
 * buckets small enough for the chart to stay light.
 */
export const rangeSpecs: Record<
  MetricRange,
  { label: string; ms: number; stored: StoredResolution; storedSeconds: number; bucketSeconds: number; liveBucketMs: number | null; tickMs: number }
> = {
  "15m": { label: "15 min", ms: 15 * 60_000, stored: "RAW", storedSeconds: 10, bucketSeconds: 10, liveBucketMs: 5_000, tickMs: 3 * 60_000 },
  "1h": { label: "1 hour", ms: 3_600_000, stored: "RAW", storedSeconds: 10, bucketSeconds: 10, liveBucketMs: 10_000, tickMs: 10 * 60_000 },
  "24h": { label: "24 hours", ms: 24 * 3_600_000, stored: "MINUTE", storedSeconds: 60, bucketSeconds: 180, liveBucketMs: null, tickMs: 3 * 3_600_000 },
  "7d": { label: "7 days", ms: 7 * 24 * 3_600_000, stored: "HOUR", storedSeconds: 3600, bucketSeconds: 3600, liveBucketMs: null, tickMs: 24 * 3_600_000 },
};

/** At most this many points per series, and this many series per answer. */
export const MAX_POINTS = 500;
export const MAX_SERIES = 50;

/** Reads ?range= from a URL; anything else is the default. */
export function parseRange(value: string | string[] | null | undefined): MetricRange {
  const v = Array.isArray(value) ? value[0] : value;
  return metricRange.safeParse(v).success ? (v as MetricRange) : defaultRange;
}

export const metricFields = ["sessions", "requestRate", "latencyMs", "cpu", "memory", "lagBytes", "lagSeconds"] as const;
export type MetricField = (typeof metricFields)[number];

export const healthValue = z.enum(healthValues);
export type HealthValue = z.output<typeof healthValue>;

export const storedResolutions = ["RAW", "MINUTE", "HOUR"] as const satisfies readonly StoredResolution[];

/** One point of a series: averages over its bucket (lag: the bucket's maximum; health: its worst). */
export const seriesPoint = z.object({
  /** Epoch milliseconds: the start of the bucket. */
  at: z.number(),
  health: healthValue,
  sessions: z.number().nullable(),
  requestRate: z.number().nullable(),
  latencyMs: z.number().nullable(),
  cpu: z.number().nullable(),
  memory: z.number().nullable(),
  lagBytes: z.number().nullable(),
  lagSeconds: z.number().nullable(),
}) satisfies z.ZodType<{ at: number; health: HealthValue } & Record<MetricField, number | null>>;
export type SeriesPoint = z.output<typeof seriesPoint>;

export const metricSeries = z.object({
  /** "NODE:<id>", the same key live points carry. */
  key: z.string(),
  subjectId: z.string(),
  name: z.string(),
  clusterId: z.string(),
  /** Current health of the subject, from the inventory. */
  health: healthValue,
  /** PRIMARY or REPLICA for databases; null otherwise. */
  role: z.enum(dbRoleValues).nullable(),
  points: z.array(seriesPoint),
});
export type MetricSeries = z.output<typeof metricSeries>;

export const metricsAnswer = z.object({
  range: metricRange,
  /** Epoch milliseconds: the window the answer covers. */
  from: z.number(),
  to: z.number(),
  /** Width of one point. */
  resolutionSeconds: z.number().int(),
  /** The stored resolution this range prefers. */
  preferred: z.enum(storedResolutions),
  /** The resolutions actually read: RAW beside MINUTE/HOUR when the roll-up has not (yet) covered the range. */
  sources: z.array(z.enum(storedResolutions)),
  /** Subjects that matched; only the first MAX_SERIES are in `series`. */
  totalSeries: z.number().int(),
  /** Unhealthy subjects first, then the busiest (recent sessions, request rate, lag), then by name. */
  series: z.array(metricSeries),
});
export type MetricsAnswer = z.output<typeof metricsAnswer>;

export const subjectKey = (type: MetricSubjectType, id: string) => `${type}:${id}`;
