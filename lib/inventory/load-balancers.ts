// Load balancers: list, read (with the pool), create, update, delete. Every
// write records its audit entry in the same transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { notFound, unprocessable } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import { assertDestinations, audited, nameFilter, paging, requireCluster } from "./shared";
import { memberSelect, type PoolMemberView } from "./pool";

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

export type RuntimeOverrideView = { nodeName: string; kind: string; value: string; reason: string; expiresAt: Date | null };

/** What the console has set on this load balancer's servers at runtime (drain, maintenance, weights) and puts back after every reload. */
export function getRuntimeOverrides(loadBalancerId: string): Promise<RuntimeOverrideView[]> {
  return db.runtimeOverride
    .findMany({
      where: { loadBalancerId, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
      select: { kind: true, value: true, reason: true, expiresAt: true, node: { select: { name: true } } },
      orderBy: [{ node: { name: "asc" } }, { kind: "asc" }],
    })
    .then((rows) => rows.map(({ node, ...o }) => ({ nodeName: node.name, ...o })));
}
