// Request schemas of the configuration API (shared by handlers, forms and the OpenAPI document).
import { z } from "zod";
import { optionalReasonSchema, reasonSchema } from "@/lib/common/schemas";

const cuid = z.string().regex(/^[a-z0-9]{10,40}$/, "an id");

export const scopeParams = z.strictObject({
  scope: z.string().regex(/^(app|postgres|haproxy)\.[a-z0-9]{10,40}$/, "a configuration scope such as haproxy.<load balancer id>"),
});
export const revisionParams = z.strictObject({ id: cuid });
export const targetParams = z.strictObject({
  type: z.enum(["nodes", "load-balancers", "databases"]),
  id: cuid,
});
export const targetTypeOfPath = { nodes: "NODE", "load-balancers": "LOAD_BALANCER", databases: "DATABASE" } as const;

export const scopeQuery = z.strictObject({ revisions: z.coerce.number().int().min(1).max(200).default(50) });

/** The input is checked against the scope's own schema by the service (its kind is only known then). */
export const candidateBody = z.strictObject({ input: z.record(z.string(), z.unknown()) });
export const revisionCreate = z.strictObject({
  input: z.record(z.string(), z.unknown()),
  message: z.string().trim().min(1, "Say what changed and why").max(500),
});
export const rollbackBody = z.strictObject({ message: z.string().trim().max(500).default("") });
export const diffQuery = z.strictObject({ against: cuid.optional() });

export const deployRequest = z.strictObject({
  batchSize: z.number().int().min(1).max(500).default(1),
  pauseSeconds: z.number().int().min(0).max(3600).default(0),
  /** Only these targets (default: every enrolled target of the configuration). */
  targetIds: z.array(cuid).min(1).max(5000).optional(),
  reason: reasonSchema,
});
export type DeployRequest = z.output<typeof deployRequest>;

export const reasonBody = z.strictObject({ reason: optionalReasonSchema });

export const operationParams = z.strictObject({ id: cuid });
export const operationList = z.strictObject({
  kind: z
    .string()
    .max(50)
    .regex(/^[a-z.-]+$/)
    .optional(),
  state: z.enum(["AWAITING_APPROVAL", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
