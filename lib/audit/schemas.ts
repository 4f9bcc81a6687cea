import { z } from "zod";
import { isoDateTimeSchema, pageOf, pageQuery, wireBigint, wireDate } from "@/lib/common/schemas";

export const subjectTypeValues = ["CLUSTER", "LOAD_BALANCER", "NODE", "DATABASE", "POOLER", "USER", "API_TOKEN", "CONFIG", "OPERATION", "SYSTEM"] as const;
export const outcomeValues = ["SUCCESS", "FAILURE", "DENIED"] as const;
export const actorTypeValues = ["USER", "TOKEN", "SYSTEM", "AGENT"] as const;

export const auditList = z.strictObject({
  ...pageQuery,
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(254).optional(),
  targetType: z.enum(subjectTypeValues).optional(),
  targetId: z.string().trim().max(64).optional(),
  outcome: z.enum(outcomeValues).optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type AuditListQuery = z.output<typeof auditList>;

/** One audit entry as the API answers it; the summary and the reason are masked for every reader. */
export const auditEntry = z.object({
  id: wireBigint,
  at: wireDate,
  actorType: z.enum(actorTypeValues),
  actorId: z.string().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.enum(subjectTypeValues),
  targetId: z.string().nullable(),
  /** Free-form: what changed, as the service recorded it. */
  summary: z.unknown().describe("Any JSON value, or null"),
  reason: z.string().nullable(),
  requestId: z.string(),
  clientIp: z.string().nullable(),
  outcome: z.enum(outcomeValues),
});
export type AuditEntry = z.output<typeof auditEntry>;
export const auditPage = pageOf(auditEntry);
