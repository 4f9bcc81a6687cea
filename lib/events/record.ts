// Every Event row is written here, with the transaction client of the change
// it reports (beside recordAudit), and announced on the bus in the same
// transaction: a page sees the event exactly when the change is committed.
import type { Db, Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Severity, SubjectType } from "@/lib/generated/prisma/enums";
import { publishEvent } from "@/lib/realtime/publish";
import { subjectName } from "@/lib/events/subjects";

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

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export async function recordEvent(tx: Tx | Db, record: EventRecord): Promise<bigint> {
  // The subject's name as it is now: the list shows it once the subject is renamed or gone.
  const data = record.data === undefined || isObject(record.data) ? (record.data as Record<string, Prisma.InputJsonValue> | undefined) : undefined;
  const name = typeof data?.name === "string" ? data.name : await subjectName(tx, record);
  const event = await tx.event.create({
    data: {
      ...record,
      message: record.message.slice(0, EVENT_MESSAGE_MAX),
      data: record.data === undefined || data ? { ...data, ...(name ? { name } : {}) } : record.data,
    },
    select: { id: true },
  });
  await publishEvent(tx, event.id);
  return event.id;
}
