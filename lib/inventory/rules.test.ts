// Protects: inventory rules that only the database can enforce under
// concurrency (one primary per cluster), cross-cluster pool membership,
// and the audit entry written in the same transaction as each change.
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";

setupTestDatabase();

const audit: AuditContext = { actor: systemActor("test"), requestId: "inv-test", clientIp: null };

async function services() {
  return {
    ...(await import("@/lib/inventory/clusters")),
    ...(await import("@/lib/inventory/load-balancers")),
    ...(await import("@/lib/inventory/nodes")),
    ...(await import("@/lib/inventory/databases")),
    ...(await import("@/lib/inventory/pool")),
    ...(await import("@/lib/inventory/summary")),
    db: (await import("@/lib/db")).db,
  };
}

describe("inventory", () => {
  it("allows one primary per cluster even when two requests race", async () => {
    const s = await services();
    const cluster = await s.createCluster({ name: "race", description: "", environment: "production" }, audit);
    const primary = (name: string, port: number) =>
      s.createDatabase({ clusterId: cluster.id, name, engine: "POSTGRESQL", host: "10.0.0.1", port, role: "PRIMARY", agentUrl: null }, audit);
    const results = await Promise.allSettled([primary("pg-a", 5432), primary("pg-b", 5433), primary("pg-c", 5434)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "conflict" });
    expect(await s.db.databaseInstance.count({ where: { clusterId: cluster.id, role: "PRIMARY" } })).toBe(1);
  });

  it("refuses to put a node of another cluster in a pool", async () => {
    const s = await services();
    const a = await s.createCluster({ name: "pool-a", description: "", environment: "production" }, audit);
    const b = await s.createCluster({ name: "pool-b", description: "", environment: "production" }, audit);
    const lb = await s.createLoadBalancer(
      { clusterId: a.id, name: "lb", kind: "HAPROXY", tier: "SOFTWARE", host: "10.0.0.2", port: 80, agentUrl: null },
      audit,
    );
    const foreign = await s.createNode({ clusterId: b.id, name: "n1", host: "10.0.1.1", port: 8080, weight: 100, capacity: 100, agentUrl: null }, audit);
    await expect(s.addPoolMember(lb.id, { nodeId: foreign.id, weight: 100, backup: false }, audit)).rejects.toMatchObject({ code: "invalid" });
    const local = await s.createNode({ clusterId: a.id, name: "n1", host: "10.0.2.1", port: 8080, weight: 100, capacity: 100, agentUrl: null }, audit);
    const member = await s.addPoolMember(lb.id, { nodeId: local.id, weight: 50, backup: true }, audit);
    expect(member).toMatchObject({ weight: 50, backup: true, node: { id: local.id } });
    await expect(s.addPoolMember(lb.id, { nodeId: local.id, weight: 50, backup: true }, audit)).rejects.toMatchObject({ code: "P2002" });
  });

  it("refuses to delete a cluster that still holds anything, and writes no audit entry for it", async () => {
    const s = await services();
    const cluster = await s.createCluster({ name: "busy", description: "", environment: "staging" }, audit);
    await s.createNode({ clusterId: cluster.id, name: "n", host: "10.0.3.1", port: 8080, weight: 100, capacity: 100, agentUrl: null }, audit);
    const before = await s.db.auditEntry.count();
    await expect(s.deleteCluster(cluster.id, audit)).rejects.toMatchObject({ code: "conflict" });
    expect(await s.db.auditEntry.count()).toBe(before);
    expect(await s.db.cluster.findUnique({ where: { id: cluster.id } })).not.toBeNull();
  });

  it("records what changed, in the same transaction as the change", async () => {
    const s = await services();
    const cluster = await s.createCluster({ name: "audited", description: "", environment: "production" }, audit);
    const node = await s.createNode({ clusterId: cluster.id, name: "app-1", host: "10.0.4.1", port: 8080, weight: 100, capacity: 100, agentUrl: null }, audit);
    await s.updateNode(node.id, { weight: 20, capacity: 100 }, { ...audit, reason: "shift traffic" });
    const entry = await s.db.auditEntry.findFirstOrThrow({ where: { targetId: node.id, action: "node.update" } });
    expect(entry.summary).toEqual({ changes: { weight: { from: 100, to: 20 } } });
    expect(entry.reason).toBe("shift traffic");
    // A change whose transaction fails leaves neither the change nor its entry.
    await s.createNode({ clusterId: cluster.id, name: "app-2", host: "10.0.4.2", port: 8080, weight: 100, capacity: 100, agentUrl: null }, audit);
    await expect(s.updateNode(node.id, { name: "app-2", weight: 5 }, audit)).rejects.toMatchObject({ code: "P2002" });
    expect(await s.db.auditEntry.count({ where: { targetId: node.id, action: "node.update" } })).toBe(1);
    expect((await s.db.node.findUniqueOrThrow({ where: { id: node.id } })).weight).toBe(20);
  });

  it("summarises capacity with the N+1 rule", async () => {
    const s = await services();
    const cluster = await s.createCluster({ name: "cap", description: "", environment: "production" }, audit);
    for (const [i, capacity] of [300, 300, 400].entries()) {
      const n = await s.createNode({ clusterId: cluster.id, name: `c${i}`, host: `10.0.5.${i + 1}`, port: 8080, weight: 100, capacity, agentUrl: null }, audit);
      await s.db.node.update({ where: { id: n.id }, data: { health: "UP", activeSessions: 200 } });
    }
    const summary = await s.platformSummary();
    expect(summary.capacity.inService).toBeGreaterThanOrEqual(1000);
    // 1000 in service minus the largest (400) leaves 600 ≥ 600 active.
    expect(summary.capacity.survivesLosingLargest).toBe(true);
  });
});
