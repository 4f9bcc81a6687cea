// Inventory reads and writes: clusters, load balancers, nodes, pool members,
// database instances. One function per use case; every write records its
// audit entry in the same transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { SubjectType } from "@/lib/generated/prisma/enums";
import { changes, recordAudit, type AuditContext } from "@/lib/audit/service";
import { type FieldProblem, conflict, notFound, unprocessable } from "@/lib/common/errors";
import { describeForbidden, literalDestinationProblem } from "@/lib/net/destination-guard";
import { readDestinationPolicy } from "@/lib/net/destination-policy";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";

// ---------------------------------------------------------------- helpers

type Audited<T> = { result: T; targetId: string; summary?: Prisma.InputJsonValue };

/** Runs a change and its audit entry in one transaction. */
async function audited<T>(audit: AuditContext, action: string, targetType: SubjectType, change: (tx: Tx) => Promise<Audited<T>>): Promise<T> {
  return db.$transaction(async (tx) => {
    const { result, targetId, summary } = await change(tx);
    await recordAudit(tx, audit, { action, targetType, targetId, summary });
    return result;
  });
}

function paging(query: { page: number; pageSize: number }) {
  return { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
}

const nameFilter = (q?: string) => (q ? { name: { contains: q, mode: "insensitive" as const } } : {});

async function requireCluster(tx: Tx, clusterId: string) {
  const cluster = await tx.cluster.findUnique({ where: { id: clusterId }, select: { id: true } });
  if (!cluster) throw unprocessable("No such cluster", [{ path: "body.clusterId", message: "No cluster has this id" }]);
}

/**
 * A literal link-local or metadata address in an agent URL or a host is
 * refused here with the field named, unless an admin allows such
 * destinations. The console would refuse to connect there anyway (the
 * destination guard, at connect time, also catches names that resolve
 * there); this only says so while the form is still open. Hosts count too:
 * the prober connects to them, and a load balancer would proxy the public to
 * a node's address.
 */
async function assertDestinations(tx: Tx, input: { host?: string; agentUrl?: string | null }) {
  const problems: FieldProblem[] = [];
  const check = (field: "host" | "agentUrl", host: string) => {
    const forbidden = literalDestinationProblem(host);
    if (forbidden)
      problems.push({
        path: `body.${field}`,
        message: `${describeForbidden(forbidden)}: the console does not connect there unless an admin allows link-local destinations (Settings)`,
      });
  };
  if (input.agentUrl) {
    let hostname: string | null = null;
    try {
      hostname = new URL(input.agentUrl).hostname;
    } catch {
      hostname = null; // the schema has already said what is wrong with it
    }
    if (hostname) check("agentUrl", hostname);
  }
  if (input.host) check("host", input.host);
  if (problems.length === 0 || (await readDestinationPolicy(tx)).allowLinkLocal) return;
  throw unprocessable("Link-local and cloud metadata addresses are refused", problems);
}

// ---------------------------------------------------------------- clusters

export const clusterSelect = {
  id: true,
  name: true,
  description: true,
  environment: true,
  dbGeneration: true,
  autoFailover: true,
  autoFailoverPaused: true,
  lastFailoverAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { loadBalancers: true, nodes: true, databases: true } },
} satisfies Prisma.ClusterSelect;

export type ClusterView = Prisma.ClusterGetPayload<{ select: typeof clusterSelect }>;

export async function listClusters(query: z.output<typeof s.clusterList>): Promise<Page<ClusterView>> {
  const where = nameFilter(query.q);
  const [items, total] = await Promise.all([
    db.cluster.findMany({ where, select: clusterSelect, orderBy: { name: "asc" }, ...paging(query) }),
    db.cluster.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getCluster(id: string): Promise<ClusterView> {
  const cluster = await db.cluster.findUnique({ where: { id }, select: clusterSelect });
  if (!cluster) throw notFound("Cluster");
  return cluster;
}

export function createCluster(input: s.ClusterCreate, audit: AuditContext): Promise<ClusterView> {
  return audited(audit, "cluster.create", "CLUSTER", async (tx) => {
    const result = await tx.cluster.create({ data: input, select: clusterSelect });
    return { result, targetId: result.id, summary: { created: input } };
  });
}

export function updateCluster(id: string, input: s.ClusterUpdate, audit: AuditContext): Promise<ClusterView> {
  return audited(audit, "cluster.update", "CLUSTER", async (tx) => {
    const before = await tx.cluster.findUnique({ where: { id } });
    if (!before) throw notFound("Cluster");
    const result = await tx.cluster.update({ where: { id }, data: input, select: clusterSelect });
    return { result, targetId: id, summary: { changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function deleteCluster(id: string, audit: AuditContext): Promise<void> {
  return audited(audit, "cluster.delete", "CLUSTER", async (tx) => {
    const cluster = await tx.cluster.findUnique({ where: { id }, select: clusterSelect });
    if (!cluster) throw notFound("Cluster");
    const { loadBalancers, nodes, databases } = cluster._count;
    if (loadBalancers + nodes + databases > 0) {
      throw conflict(`Cluster '${cluster.name}' still has ${loadBalancers} load balancer(s), ${nodes} node(s) and ${databases} database(s); remove them first`);
    }
    await tx.cluster.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: { name: cluster.name } } };
  });
}

// ---------------------------------------------------------------- load balancers

export const loadBalancerSelect = {
  id: true,
  clusterId: true,
  cluster: { select: { id: true, name: true } },
  name: true,
  kind: true,
  tier: true,
  host: true,
  port: true,
  agentUrl: true,
  health: true,
  lastSeenAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { members: true } },
} satisfies Prisma.LoadBalancerSelect;

export type LoadBalancerView = Prisma.LoadBalancerGetPayload<{ select: typeof loadBalancerSelect }>;

const memberSelect = {
  id: true,
  weight: true,
  backup: true,
  createdAt: true,
  node: { select: { id: true, name: true, host: true, port: true, health: true, adminState: true } },
} satisfies Prisma.PoolMemberSelect;

export type PoolMemberView = Prisma.PoolMemberGetPayload<{ select: typeof memberSelect }>;
export type LoadBalancerDetail = LoadBalancerView & { members: PoolMemberView[] };

export async function listLoadBalancers(query: z.output<typeof s.loadBalancerList>): Promise<Page<LoadBalancerView>> {
  const where: Prisma.LoadBalancerWhereInput = {
    ...nameFilter(query.q),
    clusterId: query.clusterId,
    kind: query.kind,
    health: query.health,
  };
  const [items, total] = await Promise.all([
    db.loadBalancer.findMany({ where, select: loadBalancerSelect, orderBy: [{ tier: "asc" }, { name: "asc" }], ...paging(query) }),
    db.loadBalancer.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getLoadBalancer(id: string): Promise<LoadBalancerDetail> {
  const lb = await db.loadBalancer.findUnique({
    where: { id },
    select: { ...loadBalancerSelect, members: { select: memberSelect, orderBy: { node: { name: "asc" } } } },
  });
  if (!lb) throw notFound("Load balancer");
  return lb;
}

export function createLoadBalancer(input: s.LoadBalancerCreate, audit: AuditContext): Promise<LoadBalancerView> {
  return audited(audit, "load-balancer.create", "LOAD_BALANCER", async (tx) => {
    await requireCluster(tx, input.clusterId);
    await assertDestinations(tx, input);
    const result = await tx.loadBalancer.create({ data: input, select: loadBalancerSelect });
    return { result, targetId: result.id, summary: { created: input } };
  });
}

export function updateLoadBalancer(id: string, input: s.LoadBalancerUpdate, audit: AuditContext): Promise<LoadBalancerView> {
  return audited(audit, "load-balancer.update", "LOAD_BALANCER", async (tx) => {
    const before = await tx.loadBalancer.findUnique({ where: { id } });
    if (!before) throw notFound("Load balancer");
    const kind = input.kind ?? before.kind;
    const agentUrl = input.agentUrl === undefined ? before.agentUrl : input.agentUrl;
    if (kind === "HARDWARE" && agentUrl) {
      throw unprocessable("A hardware load balancer has no agent", [{ path: "body.agentUrl", message: "Clear the agent URL for a hardware load balancer" }]);
    }
    await assertDestinations(tx, input);
    const result = await tx.loadBalancer.update({ where: { id }, data: input, select: loadBalancerSelect });
    return { result, targetId: id, summary: { changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function deleteLoadBalancer(id: string, audit: AuditContext): Promise<void> {
  return audited(audit, "load-balancer.delete", "LOAD_BALANCER", async (tx) => {
    const lb = await tx.loadBalancer.findUnique({ where: { id }, select: { name: true, _count: { select: { members: true } } } });
    if (!lb) throw notFound("Load balancer");
    // What it ran goes with it (no foreign key: the state table serves all three kinds).
    await tx.configTargetState.deleteMany({ where: { targetType: "LOAD_BALANCER", targetId: id } });
    await tx.loadBalancer.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: { name: lb.name, members: lb._count.members } } };
  });
}

// ---------------------------------------------------------------- pool members

export function addPoolMember(loadBalancerId: string, input: s.PoolMemberCreate, audit: AuditContext): Promise<PoolMemberView> {
  return audited(audit, "pool-member.add", "LOAD_BALANCER", async (tx) => {
    const lb = await tx.loadBalancer.findUnique({ where: { id: loadBalancerId }, select: { clusterId: true, kind: true } });
    if (!lb) throw notFound("Load balancer");
    const node = await tx.node.findUnique({ where: { id: input.nodeId }, select: { clusterId: true, name: true } });
    if (!node) throw unprocessable("No such node", [{ path: "body.nodeId", message: "No node has this id" }]);
    if (node.clusterId !== lb.clusterId) {
      throw unprocessable("The node belongs to another cluster", [{ path: "body.nodeId", message: "Pick a node of this load balancer's cluster" }]);
    }
    const result = await tx.poolMember.create({ data: { loadBalancerId, ...input }, select: memberSelect });
    return { result, targetId: loadBalancerId, summary: { added: { node: node.name, weight: input.weight, backup: input.backup } } };
  });
}

export function updatePoolMember(loadBalancerId: string, nodeId: string, input: s.PoolMemberUpdate, audit: AuditContext): Promise<PoolMemberView> {
  return audited(audit, "pool-member.update", "LOAD_BALANCER", async (tx) => {
    const where = { loadBalancerId_nodeId: { loadBalancerId, nodeId } };
    const before = await tx.poolMember.findUnique({ where });
    if (!before) throw notFound("Pool member");
    const result = await tx.poolMember.update({ where, data: input, select: memberSelect });
    return { result, targetId: loadBalancerId, summary: { node: result.node.name, changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function removePoolMember(loadBalancerId: string, nodeId: string, audit: AuditContext): Promise<void> {
  return audited(audit, "pool-member.remove", "LOAD_BALANCER", async (tx) => {
    const where = { loadBalancerId_nodeId: { loadBalancerId, nodeId } };
    const member = await tx.poolMember.findUnique({ where, select: { node: { select: { name: true } } } });
    if (!member) throw notFound("Pool member");
    await tx.poolMember.delete({ where });
    return { result: undefined, targetId: loadBalancerId, summary: { removed: { node: member.node.name } } };
  });
}

// ---------------------------------------------------------------- nodes

export const nodeSelect = {
  id: true,
  clusterId: true,
  cluster: { select: { id: true, name: true } },
  name: true,
  host: true,
  port: true,
  weight: true,
  capacity: true,
  adminState: true,
  health: true,
  activeSessions: true,
  maintenanceReason: true,
  maintenanceUntil: true,
  agentUrl: true,
  lastSeenAt: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { memberships: true } },
} satisfies Prisma.NodeSelect;

export type NodeView = Prisma.NodeGetPayload<{ select: typeof nodeSelect }>;

const membershipSelect = {
  id: true,
  weight: true,
  backup: true,
  loadBalancer: { select: { id: true, name: true, kind: true, health: true } },
} satisfies Prisma.PoolMemberSelect;

export type NodeDetail = NodeView & { memberships: Prisma.PoolMemberGetPayload<{ select: typeof membershipSelect }>[] };

export async function listNodes(query: z.output<typeof s.nodeList>): Promise<Page<NodeView>> {
  const where: Prisma.NodeWhereInput = {
    ...nameFilter(query.q),
    clusterId: query.clusterId,
    health: query.health,
    adminState: query.adminState,
  };
  const [items, total] = await Promise.all([
    db.node.findMany({ where, select: nodeSelect, orderBy: { name: "asc" }, ...paging(query) }),
    db.node.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getNode(id: string): Promise<NodeDetail> {
  const node = await db.node.findUnique({
    where: { id },
    select: { ...nodeSelect, memberships: { select: membershipSelect, orderBy: { loadBalancer: { name: "asc" } } } },
  });
  if (!node) throw notFound("Node");
  return node;
}

export function createNode(input: s.NodeCreate, audit: AuditContext): Promise<NodeView> {
  return audited(audit, "node.create", "NODE", async (tx) => {
    await requireCluster(tx, input.clusterId);
    await assertDestinations(tx, input);
    const result = await tx.node.create({ data: input, select: nodeSelect });
    return { result, targetId: result.id, summary: { created: input } };
  });
}

export function updateNode(id: string, input: s.NodeUpdate, audit: AuditContext): Promise<NodeView> {
  return audited(audit, "node.update", "NODE", async (tx) => {
    const before = await tx.node.findUnique({ where: { id } });
    if (!before) throw notFound("Node");
    await assertDestinations(tx, input);
    const result = await tx.node.update({ where: { id }, data: input, select: nodeSelect });
    return { result, targetId: id, summary: { changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function deleteNode(id: string, audit: AuditContext): Promise<void> {
  return audited(audit, "node.delete", "NODE", async (tx) => {
    const node = await tx.node.findUnique({ where: { id }, select: { name: true, adminState: true, _count: { select: { memberships: true } } } });
    if (!node) throw notFound("Node");
    // What it ran goes with it (no foreign key: the state table serves all three kinds).
    await tx.configTargetState.deleteMany({ where: { targetType: "NODE", targetId: id } });
    await tx.node.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: { name: node.name, poolMemberships: node._count.memberships } } };
  });
}

// ---------------------------------------------------------------- databases

export const databaseSelect = {
  id: true,
  clusterId: true,
  cluster: { select: { id: true, name: true } },
  name: true,
  engine: true,
  host: true,
  port: true,
  role: true,
  replicationState: true,
  health: true,
  timeline: true,
  lagBytes: true,
  agentUrl: true,
  lastSeenAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.DatabaseInstanceSelect;

export type DatabaseView = Prisma.DatabaseInstanceGetPayload<{ select: typeof databaseSelect }>;

export async function listDatabases(query: z.output<typeof s.databaseList>): Promise<Page<DatabaseView>> {
  const where: Prisma.DatabaseInstanceWhereInput = {
    ...nameFilter(query.q),
    clusterId: query.clusterId,
    role: query.role,
    health: query.health,
  };
  const [items, total] = await Promise.all([
    db.databaseInstance.findMany({ where, select: databaseSelect, orderBy: [{ role: "asc" }, { name: "asc" }], ...paging(query) }),
    db.databaseInstance.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getDatabase(id: string): Promise<DatabaseView> {
  const instance = await db.databaseInstance.findUnique({ where: { id }, select: databaseSelect });
  if (!instance) throw notFound("Database instance");
  return instance;
}

/**
 * A cluster has at most one primary. The cluster row is locked first so two
 * concurrent requests cannot both add one.
 */
async function assertSinglePrimary(tx: Tx, clusterId: string, exceptId?: string) {
  await tx.$queryRaw`SELECT 1 FROM "Cluster" WHERE "id" = ${clusterId} FOR UPDATE`;
  const primary = await tx.databaseInstance.findFirst({
    where: { clusterId, role: "PRIMARY", id: exceptId ? { not: exceptId } : undefined },
    select: { name: true },
  });
  if (primary) {
    throw conflict(`Cluster already has a primary ('${primary.name}'); add this instance as a replica, or promote a replica from its page`);
  }
}

export function createDatabase(input: s.DatabaseCreate, audit: AuditContext): Promise<DatabaseView> {
  return audited(audit, "database.create", "DATABASE", async (tx) => {
    await requireCluster(tx, input.clusterId);
    await assertDestinations(tx, input);
    if (input.role === "PRIMARY") await assertSinglePrimary(tx, input.clusterId);
    const result = await tx.databaseInstance.create({ data: input, select: databaseSelect });
    return { result, targetId: result.id, summary: { created: input } };
  });
}

export function updateDatabase(id: string, input: s.DatabaseUpdate, audit: AuditContext): Promise<DatabaseView> {
  return audited(audit, "database.update", "DATABASE", async (tx) => {
    const before = await tx.databaseInstance.findUnique({ where: { id } });
    if (!before) throw notFound("Database instance");
    await assertDestinations(tx, input);
    if (input.role === "PRIMARY" && before.role !== "PRIMARY") await assertSinglePrimary(tx, before.clusterId, id);
    const result = await tx.databaseInstance.update({ where: { id }, data: input, select: databaseSelect });
    return { result, targetId: id, summary: { changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function deleteDatabase(id: string, audit: AuditContext): Promise<void> {
  return audited(audit, "database.delete", "DATABASE", async (tx) => {
    const instance = await tx.databaseInstance.findUnique({ where: { id }, select: { name: true, role: true } });
    if (!instance) throw notFound("Database instance");
    // What it ran goes with it (no foreign key: the state table serves all three kinds).
    await tx.configTargetState.deleteMany({ where: { targetType: "DATABASE", targetId: id } });
    await tx.databaseInstance.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: instance } };
  });
}

// ---------------------------------------------------------------- dashboard

export type PlatformSummary = {
  clusters: number;
  loadBalancers: { total: number; byHealth: Record<string, number> };
  nodes: { total: number; byHealth: Record<string, number>; byAdminState: Record<string, number> };
  databases: { total: number; primaries: number; replicas: number; byHealth: Record<string, number> };
  capacity: { total: number; inService: number; activeSessions: number; survivesLosingLargest: boolean };
};

function tally<T extends string>(rows: { key: T; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
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
  const dbByHealth: Record<string, number> = {};
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
