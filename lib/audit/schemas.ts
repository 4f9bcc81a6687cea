import { z } from "zod";
import { isoDateTimeSchema, pageQuery } from "@/lib/common/schemas";

export const subjectTypeValues = ["CLUSTER", "LOAD_BALANCER", "NODE", "DATABASE", "USER", "API_TOKEN", "CONFIG", "OPERATION", "SYSTEM"] as const;
export const outcomeValues = ["SUCCESS", "FAILURE", "DENIED"] as const;

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
