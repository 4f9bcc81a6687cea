// Protects: a connection pooler is watched like every other subject. A real PgBouncer
// (lab) in front of a real PostgreSQL pair, enrolled in the inventory with a real agent
// (role pgbouncer), is seen by the worker's real monitor and recorder: its health UP with
// lastSeenAt and a health event; its live state (the [databases] target it sends clients
// to, paused or not, clients, pool mode) on the bus the browsers' stream reads; then,
// after PgBouncer is killed, DOWN with the agent's reason, as an event on the same path
// as any subject's.
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { requireDatabaseUrl, resetEnvCache } from "@/lib/env";
import { busMessage, CHANNEL, type MetricPoint } from "@/lib/realtime/messages";
import { bouncerQuery } from "@/lab/pgbouncer";
import { enrolledPair, type EnrolledPair } from "@/worker/testing/pg-cluster";
import { enrolledPooler, type EnrolledPooler } from "@/worker/testing/pg-pooler";
import { waitFor } from "@/agent/testing/client";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
let enrolled: EnrolledPair;
let pooler: EnrolledPooler;
let watcher: { monitor: Monitor; recorder: Recorder } | null = null;
let listener: pg.Client | null = null;
const points: MetricPoint[] = [];

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "pooler-monitor-secret-".padEnd(48, "x");
  resetEnvCache();
  enrolled = await enrolledPair("pooled");
  pooler = await enrolledPooler(enrolled);
  // What every web process's listener hears (lib/stream/listener.ts) and sends on to browsers.
  listener = new pg.Client({ connectionString: requireDatabaseUrl() });
  await listener.connect();
  listener.on("notification", (m) => {
    const msg = busMessage.safeParse(JSON.parse(m.payload ?? "null"));
    if (msg.success && msg.data.t === "metrics") points.push(...msg.data.points.filter((p) => p.key === `POOLER:${pooler.poolerId}`));
  });
  await listener.query(`LISTEN ${CHANNEL}`);
}, 120_000);

afterAll(async () => {
  if (watcher) {
    watcher.monitor.stop();
    await watcher.recorder.stop();
  }
  await listener?.end();
  await pooler?.stop();
  await enrolled?.stop();
});

it("records the pooler UP with its live state, then DOWN with the reason when PgBouncer dies", async () => {
  const { db } = await import("@/lib/db");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  const recorder = new Recorder(db);
  recorder.start();
  // As worker/main.ts builds it: the stored health is where each target starts.
  const monitor = new Monitor(recorder, { refreshMs: 500, initialHealth: (t) => t.health });
  watcher = { monitor, recorder };
  // A client through the pool, as an app holds one.
  expect(await bouncerQuery<{ one: number }>(pooler.bouncer.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);

  const startedAt = Date.now();
  await monitor.start();
  const up = await waitFor(
    "the pooler UP in the inventory",
    async () => {
      const row = await db.pooler.findUniqueOrThrow({ where: { id: pooler.poolerId } });
      return row.health === "UP" && row.lastSeenAt ? row : null;
    },
    10_000,
  );
  const upMs = Date.now() - startedAt;
  expect(up.lastSeenAt!.getTime()).toBeGreaterThan(startedAt - 1000);
  const upEvent = await db.event.findFirstOrThrow({ where: { subjectType: "POOLER", subjectId: pooler.poolerId, kind: "health.up" } });
  expect(upEvent).toMatchObject({ clusterId: enrolled.clusterId, severity: "INFO", message: "pgb-1 is up" });

  const live = await waitFor("a live point with the pooler's targets", () => points.find((p) => p.health === "UP" && p.pooler?.databases.length), 5000);
  expect(live.pooler).toMatchObject({
    reasons: [],
    poolMode: "transaction",
    databases: [{ name: "app", host: "127.0.0.1", port: enrolled.pair.primary.port, paused: false }],
  });
  expect(live.pooler!.clientsWaiting).toBe(0);
  expect(live.pooler!.maxWaitSeconds).toBe(0);

  const killedAt = Date.now();
  await pooler.bouncer.kill();
  const down = await waitFor(
    "the pooler DOWN in the inventory",
    async () => ((await db.pooler.findUniqueOrThrow({ where: { id: pooler.poolerId } })).health === "DOWN" ? true : null),
    10_000,
  );
  expect(down).toBe(true);
  const downMs = Date.now() - killedAt;
  const downEvent = await db.event.findFirstOrThrow({ where: { subjectType: "POOLER", subjectId: pooler.poolerId, kind: "health.down" } });
  expect(downEvent.severity).toBe("CRITICAL");
  expect(downEvent.message).toMatch(/^pgb-1 is down: cannot reach PgBouncer's admin console at 127\.0\.0\.1:\d+/);
  const deadPoint = await waitFor(
    "a live DOWN point saying why",
    () => points.find((p) => p.at >= killedAt && p.health === "DOWN" && p.pooler?.reasons.length),
    5000,
  );
  expect(deadPoint.pooler!.reasons[0]).toMatch(/cannot reach PgBouncer's admin console/);
  expect(deadPoint.pooler!.clientsActive).toBeNull();
  console.log(`pooler UP recorded ${upMs} ms after the monitor started; DOWN ${downMs} ms after kill -9`);
}, 60_000);
