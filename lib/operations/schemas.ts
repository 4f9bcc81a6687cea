// Requests for the incident actions on a node (drain, resume, maintenance).
import { z } from "zod";
import { isoDateTimeSchema } from "@/lib/common/schemas";

export const NODE_DRAIN = "node.drain";
export const NODE_RESUME = "node.resume";
export const NODE_MAINTENANCE = "node.maintenance";
export const NODE_KINDS = [NODE_DRAIN, NODE_RESUME, NODE_MAINTENANCE] as const;

const reason = z.string().trim().min(1, "Give a reason: it goes to the audit trail and the events").max(500);

export const drainRequest = z
  .strictObject({
    reason,
    /** How long sessions may take to end before the escalation. */
    deadlineSeconds: z.number().int().min(5).max(86_400).default(300),
    /** At the deadline: put the node in maintenance (cuts what is left), end the remaining sessions, or stop and say so. */
    escalation: z.enum(["maintenance", "end-sessions", "none"]).default("maintenance"),
    /** Drain even though the remaining nodes may not carry the load. */
    force: z.boolean().default(false),
    forceReason: z.string().trim().max(500).optional(),
  })
  .refine((r) => !r.force || (r.forceReason ?? "").length >= 10, {
    path: ["forceReason"],
    message: "Forcing a drain needs its own reason (10+ characters): the capacity check said no",
  });
export type DrainRequest = z.output<typeof drainRequest>;

export const resumeRequest = z.strictObject({
  reason,
  /** Traffic comes back over this long (weight 10% → 25% → 50% → 100%). 0: at once. */
  slowStartSeconds: z.number().int().min(0).max(3600).default(20),
});
export type ResumeRequest = z.output<typeof resumeRequest>;

export const maintenanceRequest = z.strictObject({
  reason,
  /** When the node comes back by itself (resume with slow start); none: until someone resumes it. */
  until: isoDateTimeSchema.optional(),
});
export type MaintenanceRequest = z.output<typeof maintenanceRequest>;
