// Protects: every figure the console shows about the inventory is computed
// over all rows, not over the first page a table shows. A cluster of 2,100
// nodes (bench/scale/ runs 2,000) and 252 clusters, each figure checked
// against what this test computes from the rows it inserted. Summing the
// first 200 nodes, or choosing from them, gives other answers (checked below,
// so that this data keeps telling the two apart).
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";

setupTestDatabase();

const audit: AuditContext = { actor: systemActor("test"), requestId: "figures-test", clientIp: null };

const HEALTH = ["UP", "DEGRADED", "DOWN", "UNKNOWN"] as const;
const ADMIN = ["ACTIVE", "DRAINING", "DRAINED", "MAINTENANCE"] as const;
const BIG = 2_100;
const OTHER = 30;
const EXTRA_CLUSTERS = 250;
const TABLE_PAGE = { page: 1, pageSize: 200 } as const;

/** Deterministic and uneven, so a page of rows is no sample of the whole. */
function random(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % n;
  };
}

type NodeRow = {
  clusterId: string;
  name: string;
  host: string;
  port: number;
  capacity: number;
  activeSessions: number;
  health: (typeof HEALTH)[number];
  adminState: (typeof ADMIN)[number];
};
type DbRow = { clusterId: string; name: string; host: string; port: number; role: "PRIMARY" | "REPLICA"; health: (typeof HEALTH)[number] };
type LbRow = { clusterId: string; name: string; health: (typeof HEALTH)[number] };

const rows = { nodes: [] as NodeRow[], databases: [] as DbRow[], loadBalancers: [] as LbRow[], clusters: [] as { id: string; name: string }[] };
let big = "";
let other = "";
let pooled = { lbId: "", memberIds: new Set<string>() };

async function modules() {
  return {
    clusters: await import("@/lib/inventory/clusters"),
    nodes: await import("@/lib/inventory/nodes"),
    databases: await import("@/lib/inventory/databases"),
    loadBalancers: await import("@/lib/inventory/load-balancers"),
    pool: await import("@/lib/inventory/pool"),
    summary: await import("@/lib/inventory/summary"),
    operations: await import("@/lib/operations/nodes"),
    db: (await import("@/lib/db")).db,
  };
}

const inService = (n: NodeRow) => n.adminState === "ACTIVE" && (n.health === "UP" || n.health === "DEGRADED");
const sum = <T>(items: T[], f: (x: T) => number) => items.reduce((a, x) => a + f(x), 0);
function countBy<T>(items: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

beforeAll(async () => {
  const m = await modules();
  const rnd = random(13);
  const cluster = async (name: string) => {
    const c = await m.clusters.createCluster({ name, description: "", environment: "production" }, audit);
    rows.clusters.push({ id: c.id, name: c.name });
    return c.id;
  };
  big = await cluster("big");
  other = await cluster("other");

  const node = (clusterId: string, i: number): NodeRow => {
    const capacity = 50 + rnd(950);
    return {
      clusterId,
      name: `app-${String(i).padStart(4, "0")}`,
      host: `10.${Math.floor(i / 250)}.${i % 250}.1`,
      port: 8080,
      capacity,
      activeSessions: rnd(capacity),
      // Skewed: the first nodes by name are mostly healthy and active, the later ones less so.
      health: HEALTH[i < 300 ? rnd(2) : rnd(4)]!,
      adminState: ADMIN[i < 300 ? 0 : rnd(4)]!,
    };
  };
  for (let i = 0; i < BIG; i++) rows.nodes.push(node(big, i));
  for (let i = 0; i < OTHER; i++) rows.nodes.push(node(other, i));
  await m.db.node.createMany({ data: rows.nodes });

  for (let i = 0; i < 6; i++) rows.loadBalancers.push({ clusterId: big, name: `lb-${i}`, health: HEALTH[rnd(4)]! });
  rows.loadBalancers.push({ clusterId: other, name: "lb-other", health: "UP" });
  await m.db.loadBalancer.createMany({ data: rows.loadBalancers.map((lb, i) => ({ ...lb, kind: "HAPROXY" as const, host: "10.200.0.1", port: 8000 + i })) });

  rows.databases.push({ clusterId: big, name: "pg-0", host: "10.201.0.1", port: 5432, role: "PRIMARY", health: "UP" });
  for (let i = 1; i <= 4; i++)
    rows.databases.push({ clusterId: big, name: `pg-${i}`, host: "10.201.0.1", port: 5432 + i, role: "REPLICA", health: HEALTH[rnd(4)]! });
  rows.databases.push({ clusterId: other, name: "pg-lonely", host: "10.202.0.1", port: 5432, role: "REPLICA", health: "DOWN" });
  // More clusters than a page of them, each with a primary: the new-database form must name every one.
  for (let i = 0; i < EXTRA_CLUSTERS; i++) {
    const id = await cluster(`extra-${String(i).padStart(3, "0")}`);
    rows.databases.push({ clusterId: id, name: `pg-extra-${i}`, host: "10.203.0.1", port: 5432, role: "PRIMARY", health: HEALTH[rnd(4)]! });
  }
  await m.db.databaseInstance.createMany({ data: rows.databases });

  // A pool holding every third node of the big cluster: candidates are the other two thirds, far past the first 200.
  const lb = await m.db.loadBalancer.findFirstOrThrow({ where: { clusterId: big, name: "lb-0" }, select: { id: true } });
  const bigNodes = await m.db.node.findMany({ where: { clusterId: big }, select: { id: true, name: true }, orderBy: { name: "asc" } });
  const members = bigNodes.filter((_, i) => i % 3 === 0);
  await m.db.poolMember.createMany({ data: members.map((n) => ({ loadBalancerId: lb.id, nodeId: n.id })) });
  pooled = { lbId: lb.id, memberIds: new Set(members.map((n) => n.id)) };
}, 120_000);

describe("figures over every row", () => {
  it("sums a cluster's capacity and sessions over all its nodes, and counts its primaries", async () => {
    const m = await modules();
    const mine = rows.nodes.filter((n) => n.clusterId === big);
    const expected = {
      capacity: sum(mine, (n) => n.capacity),
      activeSessions: sum(mine, (n) => n.activeSessions),
      primaries: rows.databases.filter((d) => d.clusterId === big && d.role === "PRIMARY").length,
    };
    expect(await m.summary.clusterFigures(big)).toEqual(expected);
    expect(await m.summary.clusterFigures(other)).toEqual({
      capacity: sum(
        rows.nodes.filter((n) => n.clusterId === other),
        (n) => n.capacity,
      ),
      activeSessions: sum(
        rows.nodes.filter((n) => n.clusterId === other),
        (n) => n.activeSessions,
      ),
      primaries: 0,
    });
    // What the cluster page used to show: the first table page of nodes, summed.
    const firstPage = await m.nodes.listNodes({ ...TABLE_PAGE, clusterId: big });
    expect(firstPage.total).toBe(BIG);
    expect(sum(firstPage.items, (n) => n.capacity)).toBeLessThan(expected.capacity);
  });

  it("offers every node of the cluster not yet in the pool, and only those", async () => {
    const m = await modules();
    const bigNodes = await m.db.node.findMany({ where: { clusterId: big }, select: { id: true, name: true } });
    const expected = bigNodes
      .filter((n) => !pooled.memberIds.has(n.id))
      .map((n) => n.name)
      .sort();
    const candidates = await m.pool.poolCandidates(pooled.lbId);
    expect(candidates.map((c) => c.name)).toEqual(expected);
    expect(candidates.length).toBe(BIG - pooled.memberIds.size);
    expect(candidates.length).toBeGreaterThan(TABLE_PAGE.pageSize);
    // A pool with nobody in it yet may take every node of its cluster; nodes of another cluster never.
    const empty = await m.db.loadBalancer.findFirstOrThrow({ where: { clusterId: big, name: "lb-1" }, select: { id: true } });
    expect((await m.pool.poolCandidates(empty.id)).length).toBe(BIG);
    await expect(m.pool.poolCandidates("c000000000000000000000000")).rejects.toMatchObject({ code: "not_found" });
  });

  it("lists every cluster for a select, and names the primary of each", async () => {
    const m = await modules();
    const choices = await m.clusters.clusterChoices();
    expect(choices.map((c) => c.name)).toEqual(rows.clusters.map((c) => c.name).sort());
    expect(choices.length).toBeGreaterThan(TABLE_PAGE.pageSize);

    const primaries = await m.databases.primaryNamesByCluster();
    expect(primaries).toEqual(Object.fromEntries(rows.databases.filter((d) => d.role === "PRIMARY").map((d) => [d.clusterId, d.name])));
    expect(Object.keys(primaries).length).toBe(EXTRA_CLUSTERS + 1);

    const pg0 = await m.db.databaseInstance.findFirstOrThrow({ where: { clusterId: big, name: "pg-0" }, select: { id: true, name: true } });
    expect(await m.databases.clusterPrimary(big)).toEqual(pg0);
    expect(await m.databases.clusterPrimary(big, pg0.id)).toBeNull();
    expect(await m.databases.clusterPrimary(other)).toBeNull();
  });

  it("weighs a drain against every other node in service", async () => {
    const m = await modules();
    const mine = rows.nodes.filter((n) => n.clusterId === big);
    for (const name of ["app-0007", "app-1500", "app-2099"]) {
      const me = mine.find((n) => n.name === name)!;
      const others = mine.filter((n) => n !== me && inService(n));
      const id = (await m.db.node.findFirstOrThrow({ where: { clusterId: big, name }, select: { id: true } })).id;
      const impact = await m.operations.drainImpact(id);
      const load = sum(others, (n) => n.activeSessions) + me.activeSessions;
      const capacity = sum(others, (n) => n.capacity);
      expect(impact).toMatchObject({ load, remainingCapacity: capacity, remainingNodes: others.length, canCarry: load <= capacity });
      expect(impact.utilisationAfter).toBeCloseTo(load / capacity, 2);
    }
  });

  it("summarises the platform over every row", async () => {
    const m = await modules();
    const serving = rows.nodes.filter(inService);
    const inServiceCapacity = sum(serving, (n) => n.capacity);
    const largest = Math.max(...serving.map((n) => n.capacity));
    const activeSessions = sum(rows.nodes, (n) => n.activeSessions);
    expect(await m.summary.platformSummary()).toEqual({
      clusters: rows.clusters.length,
      loadBalancers: { total: rows.loadBalancers.length, byHealth: countBy(rows.loadBalancers, (lb) => lb.health) },
      nodes: {
        total: rows.nodes.length,
        byHealth: countBy(rows.nodes, (n) => n.health),
        byAdminState: countBy(rows.nodes, (n) => n.adminState),
      },
      databases: {
        total: rows.databases.length,
        primaries: rows.databases.filter((d) => d.role === "PRIMARY").length,
        replicas: rows.databases.filter((d) => d.role === "REPLICA").length,
        byHealth: countBy(rows.databases, (d) => d.health),
      },
      capacity: {
        total: sum(rows.nodes, (n) => n.capacity),
        inService: inServiceCapacity,
        activeSessions,
        survivesLosingLargest: serving.length >= 2 && inServiceCapacity - largest >= activeSessions,
      },
    });
  });
});
