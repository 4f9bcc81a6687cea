// Database instances: list, read, create, update, delete, with at most one
// primary per cluster. Every write records its audit entry in the same
// transaction.
import "server-only";
import type { z } from "zod";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import { assertDestinations, audited, nameFilter, paging, requireCluster } from "./shared";

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
  fence: true,
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

/** The primary of every cluster that has one, by cluster id (the new-database form names it). */
export async function primaryNamesByCluster(): Promise<Record<string, string>> {
  const primaries = await db.databaseInstance.findMany({ where: { role: "PRIMARY" }, select: { clusterId: true, name: true } });
  return Object.fromEntries(primaries.map((p) => [p.clusterId, p.name]));
}

/** The cluster's primary, leaving out `exceptId` (an instance asking who else is primary). */
export function clusterPrimary(clusterId: string, exceptId?: string): Promise<{ id: string; name: string } | null> {
  return db.databaseInstance.findFirst({
    where: { clusterId, role: "PRIMARY", id: exceptId ? { not: exceptId } : undefined },
    select: { id: true, name: true },
  });
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
