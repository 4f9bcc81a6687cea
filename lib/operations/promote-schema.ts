// The promote request (shared by the handler, the OpenAPI document and the dialog).
import { z } from "zod";
import { reasonSchema } from "@/lib/common/schemas";

export const promoteRequest = z.strictObject({
  candidateId: z.string().regex(/^[a-z0-9]{10,40}$/),
  /** The primary and generation the operator saw: refused if either changed since. */
  expectedPrimaryId: z
    .string()
    .regex(/^[a-z0-9]{10,40}$/)
    .nullable(),
  generation: z.number().int().min(0),
  reason: reasonSchema,
  force: z.boolean().default(false),
  /** With force: the phrase the checks asked for, which names the estimated loss. */
  acknowledgement: z.string().max(200).optional(),
});
export type PromoteRequest = z.output<typeof promoteRequest>;

export const autoFailoverRequest = z
  .strictObject({
    /** Turn automatic failover on or off (admins). */
    enabled: z.boolean().optional(),
    /** Hold it without turning it off, e.g. during planned work (operators). */
    paused: z.boolean().optional(),
    reason: reasonSchema,
  })
  .refine((r) => r.enabled !== undefined || r.paused !== undefined, { message: "Say what to change: enabled, paused or both" });
export type AutoFailoverRequest = z.output<typeof autoFailoverRequest>;

/** No second automatic failover in a cluster within this long. */
export const AUTO_FAILOVER_COOLDOWN_MS = 15 * 60 * 1000;

export const twoPersonRuleBody = z.strictObject({ enabled: z.boolean(), reason: reasonSchema });
