// Figures over the inventory, for the dashboard and a cluster's page: counts,
// tallies and capacity, each an aggregate in SQL over every row. Never sum a
// page of rows instead: a cluster page lists its first nodes, the figures
// cover all of them (bench/scale/ runs 2,000).
import "server-only";
import { db } from "@/lib/db";
import type { PlatformSummary } from "@/lib/inventory/schemas";

function tally<T extends string>(rows: { key: T; n: number }[]): Partial<Record<T, number>> {
  return Object.fromEntries(rows.map((r) => [r.key, r.n])) as Partial<Record<T, number>>;
}

export async function platformSummary(): Promise<PlatformSummary> {
  // Aggregates only: at 2,000 nodes, reading every in-service row doubled this call's time.
  const [clusters, lbHealth, nodeHealth, nodeState, dbRows, inServiceNodes, totalCapacity] = await Promise.all([
    db.cluster.count(),
    db.loadBalancer.groupBy({ by: ["health"], _count: { _all: true } }),
    db.node.groupBy({ by: ["health"], _count: { _all: true } }),
    db.node.groupBy({ by: ["adminState"], _count: { _all: true } }),
    db.databaseInstance.groupBy({ by: ["role", "health"], _count: { _all: true } }),
    db.node.aggregate({
      where: { adminState: "ACTIVE", health: { in: ["UP", "DEGRADED"] } },
      _sum: { capacity: true },
      _max: { capacity: true },
      _count: { _all: true },
    }),
    db.node.aggregate({ _sum: { capacity: true, activeSessions: true } }),
  ]);
  const nodeTotal = nodeHealth.reduce((a, r) => a + r._count._all, 0);
  const inService = inServiceNodes._sum.capacity ?? 0;
  const largest = inServiceNodes._max.capacity ?? 0;
  const activeSessions = totalCapacity._sum.activeSessions ?? 0;
  const dbByHealth: PlatformSummary["databases"]["byHealth"] = {};
  for (const r of dbRows) dbByHealth[r.health] = (dbByHealth[r.health] ?? 0) + r._count._all;
  return {
    clusters,
    loadBalancers: {
      total: lbHealth.reduce((a, r) => a + r._count._all, 0),
      byHealth: tally(lbHealth.map((r) => ({ key: r.health, n: r._count._all }))),
    },
    nodes: {
      total: nodeTotal,
      byHealth: tally(nodeHealth.map((r) => ({ key: r.health, n: r._count._all }))),
      byAdminState: tally(nodeState.map((r) => ({ key: r.adminState, n: r._count._all }))),
    },
    databases: {
      total: dbRows.reduce((a, r) => a + r._count._all, 0),
      primaries: dbRows.filter((r) => r.role === "PRIMARY").reduce((a, r) => a + r._count._all, 0),
      replicas: dbRows.filter((r) => r.role === "REPLICA").reduce((a, r) => a + r._count._all, 0),
      byHealth: dbByHealth,
    },
    capacity: {
      total: totalCapacity._sum.capacity ?? 0,
      inService,
      activeSessions,
      // N+1: with the largest in-service node gone, do the rest still carry today's sessions?
      survivesLosingLargest: inServiceNodes._count._all >= 2 && inService - largest >= activeSessions,
    },
  };
}

export type ClusterFigures = {
  /** Sessions the cluster's app nodes are sized for, every node counted. */
  capacity: number;
  /** Sessions open on the cluster's app nodes now. */
  activeSessions: number;
  /** Database instances marked primary (more than one is refused; none is worth a warning). */
  primaries: number;
};

export async function clusterFigures(clusterId: string): Promise<ClusterFigures> {
  const [nodes, primaries] = await Promise.all([
    db.node.aggregate({ where: { clusterId }, _sum: { capacity: true, activeSessions: true } }),
    db.databaseInstance.count({ where: { clusterId, role: "PRIMARY" } }),
  ]);
  return { capacity: nodes._sum.capacity ?? 0, activeSessions: nodes._sum.activeSessions ?? 0, primaries };
}
