// Clusters: list, read, create, update, delete. Every write records its audit
// entry in the same transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import { audited, nameFilter, paging } from "./shared";

export const clusterSelect = {
  id: true,
  name: true,
  description: true,
  environment: true,
  dbGeneration: true,
  autoFailover: true,
  autoFailoverPaused: true,
  lastFailoverAt: true,
  syncMode: true,
  syncQuorum: true,
  syncOnLoss: true,
  syncDegraded: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { loadBalancers: true, nodes: true, databases: true, poolers: true } },
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

/** Every cluster, for a form's select and the list filters: all of them, not a page. */
export function clusterChoices(): Promise<{ id: string; name: string; environment: string }[]> {
  return db.cluster.findMany({ select: { id: true, name: true, environment: true }, orderBy: { name: "asc" } });
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
    const { loadBalancers, nodes, databases, poolers } = cluster._count;
    if (loadBalancers + nodes + databases + poolers > 0) {
      throw conflict(
        `Cluster '${cluster.name}' still has ${loadBalancers} load balancer(s), ${nodes} node(s), ${databases} database(s) and ${poolers} connection pooler(s); remove them first`,
      );
    }
    await tx.cluster.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: { name: cluster.name } } };
  });
}
