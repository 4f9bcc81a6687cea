// Protects: needs attention (lib/attention/service.ts, GET /api/v1/attention)
// against the real test database. Each kind of item appears with its reason and
// start, and leaves once fixed: a subject not UP (with the reason the worker's
// recorder stored), a node not in service, a fenced former primary, a stopped
// replica, operations running or awaiting approval (and the navigation's
// counts), drift, missing N+1 (the drain's own capacity check), a database with
// no healthy streaming replica, paused automatic failover. Worst first, then
// oldest; a cluster's list holds only its own. The route: 401 without a
// caller, a viewer reads it, a bad query is a 400 problem+json.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { generateApiToken } from "@/lib/auth/tokens";
import { systemActor } from "@/lib/common/actor";
import { attentionView } from "@/lib/attention/schemas";

setupTestDatabase();

let viewerToken = "";
let main = "";
let other = "";

async function m() {
  return {
    db: (await import("@/lib/db")).db,
    attention: await import("@/lib/attention/service"),
    Recorder: (await import("@/worker/recorder")).Recorder,
  };
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "attention-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await m();
  const user = await db.user.create({ data: { email: "viewer@attention.test", role: "VIEWER", passwordHash: "x" } });
  const t = generateApiToken();
  await db.apiToken.create({ data: { name: "viewer", role: "VIEWER", prefix: t.prefix, tokenHash: t.tokenHash, ownerId: user.id } });
  viewerToken = t.token;
  main = (await db.cluster.create({ data: { name: "main" } })).id;
  other = (await db.cluster.create({ data: { name: "other" } })).id;
});

const items = async (clusterId?: string) => (await (await m()).attention.needsAttention(clusterId)).items;
const find = async (key: string, clusterId = main) => (await items(clusterId)).find((i) => i.key === key);

/** A healthy cluster: two UP nodes with room for each other's sessions, a primary and a streaming replica. */
async function healthy(clusterId: string, prefix: string) {
  const { db } = await m();
  const node = (name: string, port: number) =>
    db.node.create({ data: { clusterId, name, host: "10.0.0.1", port, health: "UP", capacity: 100, activeSessions: 10 } });
  const a = await node(`${prefix}-app-1`, 8001);
  const b = await node(`${prefix}-app-2`, 8002);
  const primary = await db.databaseInstance.create({
    data: { clusterId, name: `${prefix}-pg-1`, host: "10.0.0.2", port: 5432, role: "PRIMARY", health: "UP" },
  });
  const replica = await db.databaseInstance.create({
    data: { clusterId, name: `${prefix}-pg-2`, host: "10.0.0.3", port: 5432, role: "REPLICA", health: "UP", replicationState: "STREAMING" },
  });
  return { a, b, primary, replica };
}

describe("needs attention", () => {
  it("is all clear for a healthy cluster", async () => {
    await healthy(main, "main");
    await healthy(other, "other");
    expect(await items()).toEqual([]);
  });

  it("names a subject that is not up, with the reason the recorder stored and since when, and drops it when it is up again", async () => {
    const { db, Recorder } = await m();
    const recorder = new Recorder(db);
    const node = await db.node.findFirstOrThrow({ where: { clusterId: main, name: "main-app-2" } });
    const target = { subjectType: "NODE" as const, id: node.id, name: node.name, clusterId: main };
    const at = new Date(Date.now() - 60_000);
    await recorder.transition(target, { from: "UP", to: "DOWN", reasons: ["connection refused"] }, at);
    expect(await find(`health:NODE:${node.id}`)).toMatchObject({
      severity: "CRITICAL",
      state: "DOWN",
      name: "main-app-2",
      clusterName: "main",
      href: `/nodes/${node.id}`,
      reason: "connection refused",
      since: at,
    });
    await recorder.transition(target, { from: "DOWN", to: "UP", reasons: [] });
    expect(await find(`health:NODE:${node.id}`)).toBeUndefined();

    // A pooler nothing has reported on: UNKNOWN since it was added, said in words.
    const pooler = await db.pooler.create({ data: { clusterId: main, name: "pgb-1", host: "10.0.0.9", port: 6432 } });
    expect(await find(`health:POOLER:${pooler.id}`)).toMatchObject({
      severity: "WARNING",
      state: "UNKNOWN",
      reason: expect.stringContaining("nothing has reported"),
      since: pooler.createdAt,
    });
    await db.pooler.update({ where: { id: pooler.id }, data: { health: "UP" } });
    expect(await find(`health:POOLER:${pooler.id}`)).toBeUndefined();
  });

  it("names a node out of service with the reason of the operation that put it there", async () => {
    const { db } = await m();
    const node = await db.node.findFirstOrThrow({ where: { clusterId: main, name: "main-app-1" } });
    const op = await db.operation.create({
      data: { kind: "node.maintenance", state: "SUCCEEDED", subjectType: "NODE", subjectId: node.id, reason: "kernel upgrade", finishedAt: new Date() },
    });
    await db.node.update({ where: { id: node.id }, data: { adminState: "MAINTENANCE" } });
    expect(await find(`admin:NODE:${node.id}`)).toMatchObject({
      severity: "INFO",
      state: "MAINTENANCE",
      reason: "in maintenance: out of service (kernel upgrade)",
      since: op.createdAt,
    });
    await db.node.update({ where: { id: node.id }, data: { adminState: "ACTIVE" } });
    expect(await find(`admin:NODE:${node.id}`)).toBeUndefined();
  });

  it("names operations running and awaiting approval, counts them for the navigation, and drops them when they end", async () => {
    const { db, attention } = await m();
    const node = await db.node.findFirstOrThrow({ where: { clusterId: main, name: "main-app-1" } });
    const running = await db.operation.create({
      data: { kind: "node.drain", state: "RUNNING", subjectType: "NODE", subjectId: node.id, currentStep: "following sessions", startedAt: new Date() },
    });
    const waiting = await db.operation.create({ data: { kind: "node.resume", state: "AWAITING_APPROVAL", subjectType: "NODE", subjectId: node.id } });
    const answer = await attention.needsAttention(main);
    expect(answer.operations).toEqual({ running: 1, awaitingApproval: 1 });
    expect(answer.items.find((i) => i.key === `operation:${running.id}`)).toMatchObject({
      name: "Drain of main-app-1",
      state: "RUNNING",
      reason: "running: following sessions",
      href: `/operations/${running.id}`,
    });
    expect(answer.items.find((i) => i.key === `operation:${waiting.id}`)).toMatchObject({
      severity: "WARNING",
      name: "Resume of main-app-1",
      reason: expect.stringContaining("two-person rule"),
    });
    // Another cluster's list does not hold them.
    expect((await attention.needsAttention(other)).operations).toEqual({ running: 0, awaitingApproval: 0 });
    await db.operation.updateMany({ where: { id: { in: [running.id, waiting.id] } }, data: { state: "SUCCEEDED", finishedAt: new Date() } });
    expect((await attention.needsAttention(main)).operations).toEqual({ running: 0, awaitingApproval: 0 });
    expect(await find(`operation:${running.id}`)).toBeUndefined();
  });

  it("names drift and a fenced former primary, until reconciled and rejoined", async () => {
    const { db } = await m();
    const node = await db.node.findFirstOrThrow({ where: { clusterId: main, name: "main-app-2" } });
    const since = new Date(Date.now() - 120_000);
    await db.configTargetState.create({
      data: { targetType: "NODE", targetId: node.id, scope: `app.${main}`, appliedChecksum: "a", reportedChecksum: "b", driftSince: since },
    });
    expect(await find(`drift:NODE:${node.id}`)).toMatchObject({ severity: "WARNING", state: "DRIFT", href: `/config/app.${main}`, since });
    expect(await find(`drift:NODE:${node.id}`, other)).toBeUndefined();
    await db.configTargetState.update({ where: { targetType_targetId: { targetType: "NODE", targetId: node.id } }, data: { driftSince: null } });
    expect(await find(`drift:NODE:${node.id}`)).toBeUndefined();

    const extra = await db.databaseInstance.create({
      data: {
        clusterId: main,
        name: "main-pg-old",
        host: "10.0.0.4",
        port: 5432,
        role: "REPLICA",
        health: "UP",
        fence: "NEEDS_REBUILD",
        replicationState: "STOPPED",
      },
    });
    expect(await find(`fence:DATABASE:${extra.id}`)).toMatchObject({ state: "NEEDS_REBUILD", reason: expect.stringContaining("rebuild") });
    await db.databaseInstance.update({ where: { id: extra.id }, data: { fence: "NONE" } });
    // Out of the fence but not streaming yet: still named, for that.
    expect(await find(`fence:DATABASE:${extra.id}`)).toBeUndefined();
    expect(await find(`replication:DATABASE:${extra.id}`)).toMatchObject({ state: "STOPPED", reason: "replica not streaming from the primary" });
    await db.databaseInstance.delete({ where: { id: extra.id } });
  });

  it("names missing N+1 capacity with the drain's own check, until the sessions fit again", async () => {
    const { db } = await m();
    // 2 × 100 capacity: 120 sessions do not fit on one node.
    await db.node.updateMany({ where: { clusterId: main }, data: { activeSessions: 60 } });
    const item = await find(`capacity:${main}`);
    expect(item).toMatchObject({ severity: "WARNING", subjectType: "CLUSTER", state: "AT_RISK", since: null });
    expect(item?.reason).toMatch(/^N\+1 not met: if main-app-\d, its largest node in service, failed, 120 session\(s\) would not fit/);
    await db.node.updateMany({ where: { clusterId: main }, data: { activeSessions: 10 } });
    expect(await find(`capacity:${main}`)).toBeUndefined();
  });

  it("names a database with no healthy streaming replica, and paused automatic failover with its reason", async () => {
    const { db, attention } = await m();
    const { setAutoFailover } = await import("@/lib/operations/databases");
    const replica = await db.databaseInstance.findFirstOrThrow({ where: { clusterId: main, role: "REPLICA" } });
    await db.databaseInstance.update({ where: { id: replica.id }, data: { replicationState: "CATCHUP" } });
    expect(await find(`replica:${main}`)).toMatchObject({ severity: "CRITICAL", state: "AT_RISK", href: `/clusters/${main}#cluster-dbs` });
    await db.databaseInstance.update({ where: { id: replica.id }, data: { replicationState: "STREAMING" } });
    expect(await find(`replica:${main}`)).toBeUndefined();

    const audit = { actor: systemActor("test"), requestId: "attention-test", clientIp: null };
    await db.cluster.update({ where: { id: main }, data: { autoFailover: true } });
    await setAutoFailover(main, { paused: true, reason: "planned network work" }, audit);
    expect(await find(`failover:${main}`)).toMatchObject({ state: "PAUSED", reason: "automatic failover is paused (planned network work)" });
    await setAutoFailover(main, { paused: false, reason: "done" }, audit);
    expect(await find(`failover:${main}`)).toBeUndefined();
    expect(await attention.needsAttention()).toMatchObject({ items: [], total: 0 });
  });

  it("sorts worst first, then oldest, and answers an unknown cluster with 404", async () => {
    const { db, attention } = await m();
    const lb = await db.loadBalancer.create({ data: { clusterId: other, name: "lb-new", kind: "HAPROXY", host: "10.0.1.1", port: 80, health: "DEGRADED" } });
    const old = await db.loadBalancer.create({
      data: { clusterId: other, name: "lb-old", kind: "HAPROXY", host: "10.0.1.2", port: 80, health: "DEGRADED", createdAt: new Date(Date.now() - 3_600_000) },
    });
    const down = await db.loadBalancer.create({ data: { clusterId: main, name: "lb-down", kind: "HAPROXY", host: "10.0.1.3", port: 80, health: "DOWN" } });
    expect((await items()).map((i) => i.subjectId)).toEqual([down.id, old.id, lb.id]);
    expect((await items(other)).map((i) => i.subjectId)).toEqual([old.id, lb.id]);
    await expect(attention.needsAttention("zzzznotfound000000000000")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("GET /api/v1/attention", () => {
  async function get(query: string, token: string | null) {
    const route = await import("@/app/api/v1/attention/route");
    const res = await route.GET(new Request(`http://127.0.0.1/api/v1/attention${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }), {
      params: Promise.resolve({}),
    });
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as unknown };
  }

  it("refuses a caller with no credentials (401), lets a viewer read it, and refuses a bad query with a 400 problem", async () => {
    const anonymous = await get("", null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain("application/problem+json");

    const all = await get("", viewerToken);
    expect(all.status).toBe(200);
    const parsed = attentionView.parse(all.body);
    expect(parsed.items.map((i) => i.name)).toEqual(["lb-down", "lb-old", "lb-new"]);
    expect(attentionView.parse((await get(`?clusterId=${main}`, viewerToken)).body).items.map((i) => i.name)).toEqual(["lb-down"]);

    for (const query of ["?clusterId=Not%20an%20id", "?cluster=x"]) {
      const bad = await get(query, viewerToken);
      expect(bad.status, query).toBe(400);
      expect(bad.type).toContain("application/problem+json");
    }
  });
});
