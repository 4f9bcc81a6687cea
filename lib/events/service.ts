// The events timeline: health transitions and, later, operations. Written by
// the worker (worker/recorder.ts); read and acknowledged here.
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type { EventListQuery } from "@/lib/events/schemas";
import { maskData, maskText } from "@/lib/agent-protocol/mask";
import { publishChanged } from "@/lib/realtime/publish";

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

export type EventView = Prisma.EventGetPayload<{ select: typeof eventSelect }>;

/** Messages quote agents' answers and errors (which may hold a URL with its password): masked for every reader. */
function masked(e: EventView): EventView {
  return { ...e, message: maskText(e.message), data: maskData(e.data) };
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
  return { items: items.map(masked), total, page: query.page, pageSize: query.pageSize };
}

export async function getEvent(id: bigint): Promise<EventView | null> {
  const event = await db.event.findUnique({ where: { id }, select: eventSelect });
  return event && masked(event);
}

/** Events after the one a reconnecting stream last saw, oldest first. */
export async function eventsAfter(id: bigint, limit = 500): Promise<EventView[]> {
  return (await db.event.findMany({ where: { id: { gt: id } }, select: eventSelect, orderBy: { id: "asc" }, take: limit })).map(masked);
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
    return masked(updated);
  });
}

/** A subject's latest health transition: its reasons say why it is in its state now (the recorder writes them). */
export async function latestHealthEvent(subjectType: EventView["subjectType"], subjectId: string): Promise<EventView | null> {
  const event = await db.event.findFirst({
    where: { subjectType, subjectId, kind: { startsWith: "health." } },
    select: eventSelect,
    orderBy: [{ at: "desc" }, { id: "desc" }],
  });
  return event && masked(event);
}
