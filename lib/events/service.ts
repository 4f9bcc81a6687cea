// The events timeline: health transitions and, later, operations. Written by
// the worker (worker/recorder.ts); read and acknowledged here.
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, DomainError, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type { BulkAcknowledgeAnswer, EventListQuery } from "@/lib/events/schemas";
import { maskData, maskText } from "@/lib/agent-protocol/mask";
import { publishChanged } from "@/lib/realtime/publish";
import { subjectKey, subjectNames } from "@/lib/events/subjects";

export const eventSelect = {
  id: true,
  at: true,
  kind: true,
  severity: true,
  subjectType: true,
  subjectId: true,
  clusterId: true,
  message: true,
  data: true,
  acknowledgedAt: true,
  acknowledgedById: true,
} satisfies Prisma.EventSelect;

type EventRow = Prisma.EventGetPayload<{ select: typeof eventSelect }>;
/** An event as readers get it: masked, and with its subject's name. */
export type EventView = EventRow & { subjectName: string | null };

/**
 * Messages quote agents' answers and errors (which may hold a URL with its
 * password): masked for every reader. The subject is named by its current
 * name, else by the one recorded with the event (it was deleted since).
 */
async function present(rows: EventRow[]): Promise<EventView[]> {
  const names = await subjectNames(db, rows);
  return rows.map((e) => {
    const data = maskData(e.data);
    const recorded = data && typeof data === "object" && !Array.isArray(data) && typeof data.name === "string" ? data.name : null;
    const current = e.subjectId ? names.get(subjectKey(e.subjectType, e.subjectId)) : undefined;
    return { ...e, message: maskText(e.message), data, subjectName: current ?? recorded };
  });
}

export async function listEvents(query: EventListQuery): Promise<Page<EventView>> {
  const where: Prisma.EventWhereInput = {
    severity: query.severity,
    kind: query.kind ? { startsWith: query.kind } : undefined,
    subjectType: query.subjectType,
    subjectId: query.subjectId,
    clusterId: query.clusterId,
    acknowledgedAt: query.acknowledged === undefined ? undefined : query.acknowledged === "true" ? { not: null } : null,
    at: query.from || query.to ? { gte: query.from ? new Date(query.from) : undefined, lte: query.to ? new Date(query.to) : undefined } : undefined,
    ...(query.q ? { message: { contains: query.q, mode: "insensitive" } } : {}),
  };
  const [items, total] = await Promise.all([
    db.event.findMany({ where, select: eventSelect, orderBy: { id: "desc" }, skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
    db.event.count({ where }),
  ]);
  return { items: await present(items), total, page: query.page, pageSize: query.pageSize };
}

export async function getEvent(id: bigint): Promise<EventView | null> {
  const event = await db.event.findUnique({ where: { id }, select: eventSelect });
  return event && (await present([event]))[0]!;
}

/** Events after the one a reconnecting stream last saw, oldest first. */
export async function eventsAfter(id: bigint, limit = 500): Promise<EventView[]> {
  return present(await db.event.findMany({ where: { id: { gt: id } }, select: eventSelect, orderBy: { id: "asc" }, take: limit }));
}

export async function acknowledgeEvent(id: bigint, note: string | undefined, audit: AuditContext): Promise<EventView> {
  return db.$transaction(async (tx) => {
    const event = await tx.event.findUnique({ where: { id }, select: { acknowledgedAt: true, kind: true, subjectType: true, subjectId: true } });
    if (!event) throw notFound("Event");
    if (event.acknowledgedAt) throw conflict("This event is already acknowledged");
    const updated = await tx.event.update({
      where: { id },
      data: { acknowledgedAt: new Date(), acknowledgedById: audit.actor.userId },
      select: eventSelect,
    });
    await recordAudit(tx, audit, {
      action: "event.acknowledge",
      targetType: event.subjectType,
      targetId: event.subjectId,
      summary: { eventId: id.toString(), kind: event.kind },
      reason: note ?? null,
    });
    await publishChanged(tx, "EVENT", id.toString());
    return (await present([updated]))[0]!;
  });
}

/**
 * Acknowledges several events at once (the list's "select all shown"): one
 * transaction, one audit entry with the count. All or nothing on the ids (see
 * bulkAcknowledgeAnswer); rows are locked so two operators acknowledging the
 * same events at once each get a truthful answer.
 */
export async function acknowledgeEvents(ids: bigint[], note: string | undefined, audit: AuditContext): Promise<BulkAcknowledgeAnswer> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: bigint; acked: boolean }[]>`
      SELECT "id", "acknowledgedAt" IS NOT NULL AS acked FROM "Event" WHERE "id" = ANY(${ids}::bigint[]) ORDER BY "id" FOR UPDATE`;
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id)).map(String);
    if (missing.length) {
      throw new DomainError(
        "not_found",
        `${missing.length === 1 ? "Event" : "Events"} ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist; nothing was acknowledged`,
        {
          missing,
        },
      );
    }
    const open = rows.filter((r) => !r.acked).map((r) => r.id);
    const already = rows.filter((r) => r.acked).map((r) => String(r.id));
    if (open.length) {
      await tx.event.updateMany({ where: { id: { in: open } }, data: { acknowledgedAt: new Date(), acknowledgedById: audit.actor.userId } });
      await recordAudit(tx, audit, {
        action: "event.acknowledge-bulk",
        targetType: "SYSTEM",
        summary: { count: open.length, eventIds: open.map(String), alreadyAcknowledged: already.length },
        reason: note ?? null,
      });
      // One notice: every open list refetches once, not once per row.
      await publishChanged(tx, "EVENT");
    }
    return { acknowledged: open.map(String), alreadyAcknowledged: already };
  });
}

/** A subject's latest health transition: its reasons say why it is in its state now (the recorder writes them). */
export async function latestHealthEvent(subjectType: EventView["subjectType"], subjectId: string): Promise<EventView | null> {
  const event = await db.event.findFirst({
    where: { subjectType, subjectId, kind: { startsWith: "health." } },
    select: eventSelect,
    orderBy: [{ at: "desc" }, { id: "desc" }],
  });
  return event && (await present([event]))[0]!;
}
