// Connection poolers (PgBouncer in front of a cluster's database): list, read,
// create, update, delete. Every write records its audit entry in the same
// transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import { assertDestinations, audited, nameFilter, paging, requireCluster } from "./shared";

export const poolerSelect = {
  id: true,
  clusterId: true,
  cluster: { select: { id: true, name: true } },
  name: true,
  host: true,
  port: true,
  agentUrl: true,
  health: true,
  lastSeenAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.PoolerSelect;

export type PoolerView = Prisma.PoolerGetPayload<{ select: typeof poolerSelect }>;

export async function listPoolers(query: z.output<typeof s.poolerList>): Promise<Page<PoolerView>> {
  const where: Prisma.PoolerWhereInput = { ...nameFilter(query.q), clusterId: query.clusterId, health: query.health };
  const [items, total] = await Promise.all([
    db.pooler.findMany({ where, select: poolerSelect, orderBy: { name: "asc" }, ...paging(query) }),
    db.pooler.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

export async function getPooler(id: string): Promise<PoolerView> {
  const pooler = await db.pooler.findUnique({ where: { id }, select: poolerSelect });
  if (!pooler) throw notFound("Connection pooler");
  return pooler;
}

export function createPooler(input: s.PoolerCreate, audit: AuditContext): Promise<PoolerView> {
  return audited(audit, "pooler.create", "POOLER", async (tx) => {
    await requireCluster(tx, input.clusterId);
    await assertDestinations(tx, input);
    const result = await tx.pooler.create({ data: input, select: poolerSelect });
    return { result, targetId: result.id, summary: { created: input } };
  });
}

export function updatePooler(id: string, input: s.PoolerUpdate, audit: AuditContext): Promise<PoolerView> {
  return audited(audit, "pooler.update", "POOLER", async (tx) => {
    const before = await tx.pooler.findUnique({ where: { id } });
    if (!before) throw notFound("Connection pooler");
    await assertDestinations(tx, input);
    const result = await tx.pooler.update({ where: { id }, data: input, select: poolerSelect });
    return { result, targetId: id, summary: { changes: changes(before, input) } as Prisma.InputJsonValue };
  });
}

export function deletePooler(id: string, audit: AuditContext): Promise<void> {
  return audited(audit, "pooler.delete", "POOLER", async (tx) => {
    const pooler = await tx.pooler.findUnique({ where: { id }, select: { name: true, host: true, port: true } });
    if (!pooler) throw notFound("Connection pooler");
    // Its agent credentials go with it (cascade); the worker drops the channel at its next refresh.
    await tx.pooler.delete({ where: { id } });
    return { result: undefined, targetId: id, summary: { deleted: pooler } };
  });
}
