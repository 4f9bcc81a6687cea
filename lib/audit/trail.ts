// Reading the audit trail (writing lives in service.ts, inside each change's transaction).
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Page } from "@/lib/common/schemas";
import type { AuditListQuery } from "@/lib/audit/schemas";
import { maskData, maskText } from "@/lib/agent-protocol/mask";

export const auditSelect = {
  id: true,
  at: true,
  actorType: true,
  actorId: true,
  actorLabel: true,
  action: true,
  targetType: true,
  targetId: true,
  summary: true,
  reason: true,
  requestId: true,
  clientIp: true,
  outcome: true,
} satisfies Prisma.AuditEntrySelect;

export type AuditView = Prisma.AuditEntryGetPayload<{ select: typeof auditSelect }>;

export async function listAudit(query: AuditListQuery): Promise<Page<AuditView>> {
  const where: Prisma.AuditEntryWhereInput = {
    action: query.action ? { contains: query.action, mode: "insensitive" } : undefined,
    actorLabel: query.actor ? { contains: query.actor, mode: "insensitive" } : undefined,
    targetType: query.targetType,
    targetId: query.targetId,
    outcome: query.outcome,
    at: query.from || query.to ? { gte: query.from ? new Date(query.from) : undefined, lte: query.to ? new Date(query.to) : undefined } : undefined,
    ...(query.q
      ? {
          OR: [
            { action: { contains: query.q, mode: "insensitive" } },
            { actorLabel: { contains: query.q, mode: "insensitive" } },
            { reason: { contains: query.q, mode: "insensitive" } },
          ],
        }
      : {}),
  };
  const [items, total] = await Promise.all([
    db.auditEntry.findMany({ where, select: auditSelect, orderBy: { id: "desc" }, skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
    db.auditEntry.count({ where }),
  ]);
  // Summaries and reasons are free text (a refusal's detail, an admin's reason): masked like any text a viewer reads.
  return {
    items: items.map((a) => ({ ...a, summary: maskData(a.summary), reason: a.reason === null ? null : maskText(a.reason) })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
