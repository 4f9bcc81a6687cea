// Pool members: the nodes behind a load balancer. Adding, re-weighting and
// removing one is audited on the load balancer, in the same transaction.
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { notFound, unprocessable } from "@/lib/common/errors";
import type * as s from "@/lib/inventory/schemas";
import { audited } from "./shared";

export const memberSelect = {
  id: true,
  weight: true,
  backup: true,
  createdAt: true,
  node: { select: { id: true, name: true, host: true, port: true, health: true, adminState: true } },
} satisfies Prisma.PoolMemberSelect;

export type PoolMemberView = Prisma.PoolMemberGetPayload<{ select: typeof memberSelect }>;

const candidateSelect = { id: true, name: true, host: true, port: true, weight: true, health: true, adminState: true } satisfies Prisma.NodeSelect;

export type PoolCandidateView = Prisma.NodeGetPayload<{ select: typeof candidateSelect }>;

/**
 * The nodes that may join this load balancer's pool: every node of its cluster
 * not in the pool yet, chosen in SQL (not from a page of the cluster's nodes,
 * which at 2,000 nodes left most of them out), by name.
 */
export async function poolCandidates(loadBalancerId: string): Promise<PoolCandidateView[]> {
  const lb = await db.loadBalancer.findUnique({ where: { id: loadBalancerId }, select: { clusterId: true } });
  if (!lb) throw notFound("Load balancer");
  return db.node.findMany({
    where: { clusterId: lb.clusterId, memberships: { none: { loadBalancerId } } },
    select: candidateSelect,
    orderBy: { name: "asc" },
  });
}

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
