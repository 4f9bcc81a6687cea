// Audit entries are written with the same transaction client as the change
// they describe, so there is never a change without its record.
import type { Actor } from "@/lib/common/actor";
import type { Db, Tx } from "@/lib/db/client";
import type { AuditOutcome, SubjectType } from "@/lib/generated/prisma/enums";
import type { Prisma } from "@/lib/generated/prisma/client";

export type AuditContext = {
  actor: Actor;
  requestId: string;
  clientIp: string | null;
  reason?: string | null;
};

export type AuditRecord = {
  action: string;
  targetType: SubjectType;
  targetId?: string | null;
  summary?: Prisma.InputJsonValue;
  outcome?: AuditOutcome;
  reason?: string | null;
};

export async function recordAudit(tx: Tx | Db, ctx: AuditContext, record: AuditRecord): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actorType: ctx.actor.type,
      actorId: ctx.actor.id,
      actorLabel: ctx.actor.label,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId ?? null,
      summary: record.summary,
      reason: record.reason ?? ctx.reason ?? null,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      outcome: record.outcome ?? "SUCCESS",
    },
  });
}

/** Field-by-field difference, for the summary of an update. */
export function changes<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const old = before[key];
    const same = old instanceof Date && value instanceof Date ? old.getTime() === value.getTime() : old === value;
    if (!same) out[key] = { from: jsonSafe(old), to: jsonSafe(value) };
  }
  return out;
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  return v ?? null;
}
