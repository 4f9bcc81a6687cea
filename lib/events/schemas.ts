import { z } from "zod";
import { idSchema, isoDateTimeSchema, pageOf, pageQuery, wireBigint, wireDate } from "@/lib/common/schemas";
import { subjectTypeValues } from "@/lib/audit/schemas";

export const severityValues = ["INFO", "WARNING", "CRITICAL"] as const;
export const eventIdSchema = z.string().regex(/^\d{1,18}$/, "Not a valid event id");

export const eventList = z.strictObject({
  ...pageQuery,
  severity: z.enum(severityValues).optional(),
  kind: z.string().trim().max(60).optional(),
  subjectType: z.enum(subjectTypeValues).optional(),
  subjectId: idSchema.optional(),
  clusterId: idSchema.optional(),
  acknowledged: z.enum(["true", "false"]).optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type EventListQuery = z.output<typeof eventList>;

export const eventParams = z.strictObject({ id: eventIdSchema });
const ackNote = z.string().trim().max(500).optional();
export const acknowledgeBody = z.strictObject({ note: ackNote });

/** The most events one bulk acknowledgement takes: a page of the list, and then some. */
export const BULK_ACKNOWLEDGE_MAX = 500;
export const bulkAcknowledgeBody = z.strictObject({
  ids: z
    .array(eventIdSchema)
    .min(1, "Select at least one event")
    .max(BULK_ACKNOWLEDGE_MAX, `At most ${BULK_ACKNOWLEDGE_MAX} events at a time`)
    .refine((ids) => new Set(ids).size === ids.length, "Each event once"),
  note: ackNote,
});
/**
 * All or nothing on the ids: one unknown id refuses the request (404 naming the
 * unknown ones) and writes nothing, since a typo in a script must not pass for
 * done. One already acknowledged (by someone quicker) is not an error: it is
 * listed apart and keeps its first acknowledgement.
 */
export const bulkAcknowledgeAnswer = z.object({
  acknowledged: z.array(z.string()),
  alreadyAcknowledged: z.array(z.string()),
});
export type BulkAcknowledgeAnswer = z.output<typeof bulkAcknowledgeAnswer>;

export const streamQuery = z.strictObject({ lastEventId: eventIdSchema.optional() });

/** One event as the API answers it (the list, the acknowledgement, the stream's `event` message). */
export const eventItem = z.object({
  id: wireBigint,
  at: wireDate,
  kind: z.string(),
  severity: z.enum(severityValues),
  subjectType: z.enum(subjectTypeValues),
  subjectId: z.string().nullable(),
  /** The subject's name now, else the one it had when the event was recorded (it is gone); null when neither is known. */
  subjectName: z.string().nullable(),
  clusterId: z.string().nullable(),
  /** Masked: messages quote agents' answers, which may hold a password. */
  message: z.string(),
  /** Free-form, as the recorder wrote it (masked like the message); often has the subject's `name`. */
  data: z.unknown().describe("Any JSON value, or null"),
  acknowledgedAt: wireDate.nullable(),
  acknowledgedById: z.string().nullable(),
});
export type EventItem = z.output<typeof eventItem>;
export const eventPage = pageOf(eventItem);
export type EventPage = z.output<typeof eventPage>;
