// App nodes: list, read (with the pools they are in), create, update, delete.
// Every write records its audit entry in the same transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import { assertDestinations, audited, nameFilter, paging, requireCluster } from "./shared";

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
