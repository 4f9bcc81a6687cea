// What travels from the worker to every web instance (PostgreSQL NOTIFY on
// one channel) and on to browsers (Server-Sent Events). Payloads stay small:
// NOTIFY carries at most 8000 bytes, so an event names its row and the web
// side reads it, and metric points travel in chunks.
import { z } from "zod";

export const CHANNEL = "clusterdeck";
export const MAX_NOTIFY_BYTES = 7900;
/** Wakes the leader worker when an operation is queued (payload: its id). Kept apart: the worker does not read CHANNEL's metrics. */
export const OPERATIONS_CHANNEL = "clusterdeck_ops";

/**
 * A connection pooler's live state, small enough for NOTIFY: the health's reasons, its
 * [databases] targets (where clients go, paused or not) and its clients summed over its
 * pools. Null figures: the agent did not say (it does not answer).
 */
export const poolerPoint = z.object({
  reasons: z.array(z.string().max(300)).max(5),
  poolMode: z.string().max(20).nullable(),
  clientsActive: z.number().nullable(),
  clientsWaiting: z.number().nullable(),
  /** The longest any client waits now, over every pool, in seconds. */
  maxWaitSeconds: z.number().nullable(),
  databases: z.array(z.object({ name: z.string().max(100), host: z.string().max(255).nullable(), port: z.number().nullable(), paused: z.boolean() })).max(20),
});
export type PoolerPoint = z.infer<typeof poolerPoint>;

const lbErrors = z.object({ connect: z.number(), response: z.number(), retries: z.number(), redispatches: z.number(), http5xx: z.number() });

/**
 * A load balancer's live stats table (what its HAProxy's `show stat` says, through its agent):
 * one row per back-end server, each backend's and frontend's totals. Request rates are per
 * second, null while the agent has no figure (its first collection, a reload). Rows that would
 * not fit a NOTIFY are left out and counted in `omitted`.
 */
export const loadBalancerPoint = z.object({
  servers: z
    .array(
      z.object({
        backend: z.string().max(100),
        name: z.string().max(100),
        status: z.string().max(40),
        adminState: z.enum(["READY", "DRAIN", "MAINT"]),
        weight: z.number(),
        sessions: z.number(),
        maxSessions: z.number().nullable(),
        requestRate: z.number().nullable(),
        checkStatus: z.string().max(40),
        checkDurationMs: z.number().nullable(),
        checkDetail: z.string().max(120),
        sinceChangeSeconds: z.number().nullable(),
        errors: lbErrors.nullable(),
      }),
    )
    .max(200),
  backends: z
    .array(
      z.object({
        name: z.string().max(100),
        status: z.string().max(40),
        sessions: z.number(),
        maxSessions: z.number(),
        requestRate: z.number().nullable(),
        weight: z.number(),
        errors: lbErrors,
      }),
    )
    .max(50),
  frontends: z
    .array(z.object({ name: z.string().max(100), sessions: z.number(), maxSessions: z.number().nullable(), requestRate: z.number().nullable() }))
    .max(50),
  omitted: z.number(),
});
export type LoadBalancerPoint = z.infer<typeof loadBalancerPoint>;

export const metricPoint = z.object({
  /** "NODE:<id>", "LOAD_BALANCER:<id>", "DATABASE:<id>", "POOLER:<id>" */
  key: z.string(),
  at: z.number(),
  health: z.enum(["UP", "DEGRADED", "UNREACHABLE", "DOWN", "UNKNOWN"]),
  sessions: z.number().nullable().optional(),
  requestRate: z.number().nullable().optional(),
  latencyMs: z.number().nullable().optional(),
  cpu: z.number().nullable().optional(),
  memory: z.number().nullable().optional(),
  lagBytes: z.number().nullable().optional(),
  lagSeconds: z.number().nullable().optional(),
  backends: z.array(z.object({ name: z.string(), up: z.boolean(), latencyMs: z.number().nullable() })).optional(),
  pooler: poolerPoint.optional(),
  loadBalancer: loadBalancerPoint.optional(),
});
export type MetricPoint = z.infer<typeof metricPoint>;

/** What a "changed" message names: pages refetch what they show of it. */
export const changedSubject = z.enum(["NODE", "LOAD_BALANCER", "DATABASE", "POOLER", "CLUSTER", "CONFIG", "OPERATION", "EVENT"]);
export type ChangedSubject = z.infer<typeof changedSubject>;

export const busMessage = z.discriminatedUnion("t", [
  /** A row was added to Event; read it by id. */
  z.object({ t: z.literal("event"), id: z.string() }),
  /** Inventory or state changed (health, admin state, membership): refetch. */
  z.object({ t: z.literal("changed"), subject: changedSubject, id: z.string().optional() }),
  z.object({ t: z.literal("metrics"), points: z.array(metricPoint) }),
]);
export type BusMessage = z.infer<typeof busMessage>;

/** Splits metric points into NOTIFY-sized messages. */
export function chunkMetrics(points: MetricPoint[]): string[] {
  const out: string[] = [];
  let batch: MetricPoint[] = [];
  let size = 40;
  for (const p of points) {
    const bytes = Buffer.byteLength(JSON.stringify(p)) + 1;
    if (batch.length && size + bytes > MAX_NOTIFY_BYTES) {
      out.push(JSON.stringify({ t: "metrics", points: batch }));
      batch = [];
      size = 40;
    }
    batch.push(p);
    size += bytes;
  }
  if (batch.length) out.push(JSON.stringify({ t: "metrics", points: batch }));
  return out;
}
