// Requests for the incident actions on a node (drain, resume, maintenance).
// Their fields are the operation kinds' (lib/operations/kinds.ts): what the
// API accepts is what the worker reads back.
import { z } from "zod";
import { drainFields, maintenanceFields, resumeFields } from "./kinds";

export const NODE_KINDS = ["node.drain", "node.resume", "node.maintenance"] as const;

export const drainRequest = z.strictObject(drainFields).refine((r) => !r.force || (r.forceReason ?? "").length >= 10, {
  path: ["forceReason"],
  message: "Forcing a drain needs its own reason (10+ characters): the capacity check said no",
});
export type DrainRequest = z.output<typeof drainRequest>;

export const resumeRequest = z.strictObject(resumeFields);
export type ResumeRequest = z.output<typeof resumeRequest>;

export const maintenanceRequest = z.strictObject(maintenanceFields);
export type MaintenanceRequest = z.output<typeof maintenanceRequest>;
