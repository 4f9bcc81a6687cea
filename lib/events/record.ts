// Every Event row is written here, with the transaction client of the change
// it reports (beside recordAudit), and announced on the bus in the same
// transaction: a page sees the event exactly when the change is committed.
import type { Db, Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Severity, SubjectType } from "@/lib/generated/prisma/enums";
import { publishEvent } from "@/lib/realtime/publish";

/** Event messages are shown in lists and sent on: long quotes of agents' answers are cut. */
export const EVENT_MESSAGE_MAX = 1000;

export type EventRecord = {
  /** Dotted and stable ("node.drained", "health.down"): filters and notifications match on it. */
  kind: string;
  severity: Severity;
  subjectType: SubjectType;
  subjectId: string;
  clusterId: string | null;
  message: string;
  data?: Prisma.InputJsonValue;
  /** When it happened, if not now (a health transition observed a moment ago). */
  at?: Date;
};

export async function recordEvent(tx: Tx | Db, record: EventRecord): Promise<bigint> {
  const event = await tx.event.create({
    data: { ...record, message: record.message.slice(0, EVENT_MESSAGE_MAX) },
    select: { id: true },
  });
  await publishEvent(tx, event.id);
  return event.id;
}
