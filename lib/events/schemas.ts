import { z } from "zod";
import { idSchema, isoDateTimeSchema, pageQuery } from "@/lib/common/schemas";
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
export const acknowledgeBody = z.strictObject({ note: z.string().trim().max(500).optional() });

export const streamQuery = z.strictObject({ lastEventId: eventIdSchema.optional() });
