// Inventory input schemas: the forms, the route handlers and the OpenAPI
// document all use these, so a rule is stated once.
import { z } from "zod";
import { agentUrlSchema, descriptionSchema, hostSchema, idSchema, nameSchema, numberField, pageQuery, portSchema } from "@/lib/common/schemas";

export const healthValues = ["UP", "DEGRADED", "DOWN", "UNKNOWN"] as const;
export const adminStateValues = ["ACTIVE", "DRAINING", "DRAINED", "MAINTENANCE"] as const;
export const lbKindValues = ["HAPROXY", "NGINX", "APACHE", "HARDWARE"] as const;
export const lbTierValues = ["EDGE", "SOFTWARE"] as const;
export const dbRoleValues = ["PRIMARY", "REPLICA"] as const;
export const dbEngineValues = ["POSTGRESQL"] as const;

const environmentSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9-]+$/, "Lower-case letters, digits and '-'");

// ---- clusters
export const clusterCreate = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(""),
  environment: environmentSchema.default("production"),
});
export const clusterUpdate = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  environment: environmentSchema.optional(),
});
export const clusterList = z.strictObject({ ...pageQuery });

// ---- load balancers
const lbFields = {
  name: nameSchema,
  kind: z.enum(lbKindValues),
  tier: z.enum(lbTierValues),
  host: hostSchema,
  port: portSchema,
  agentUrl: agentUrlSchema.nullable(),
};
const hardwareHasNoAgent = (v: { kind?: string; agentUrl?: string | null }) => !(v.kind === "HARDWARE" && v.agentUrl);
const hardwareMessage = { message: "A hardware load balancer has no agent; it is probed over HTTP/TCP", path: ["agentUrl"] };

export const loadBalancerCreate = z
  .strictObject({ clusterId: idSchema, ...lbFields, tier: lbFields.tier.default("SOFTWARE"), agentUrl: lbFields.agentUrl.default(null) })
  .refine(hardwareHasNoAgent, hardwareMessage);
export const loadBalancerUpdate = z
  .strictObject({
    name: lbFields.name.optional(),
    kind: lbFields.kind.optional(),
    tier: lbFields.tier.optional(),
    host: lbFields.host.optional(),
    port: lbFields.port.optional(),
    agentUrl: lbFields.agentUrl.optional(),
  })
  .refine(hardwareHasNoAgent, hardwareMessage);
export const loadBalancerList = z.strictObject({
  ...pageQuery,
  clusterId: idSchema.optional(),
  kind: z.enum(lbKindValues).optional(),
  health: z.enum(healthValues).optional(),
});

// ---- nodes
const weightSchema = numberField("Weight").int("Weight must be a whole number").min(0, "Weight is 0 to 256").max(256, "Weight is 0 to 256");
const capacitySchema = numberField("Capacity")
  .int("Capacity must be a whole number")
  .min(1, "Capacity is at least 1")
  .max(10_000_000, "Capacity is at most 10,000,000");

export const nodeCreate = z.strictObject({
  clusterId: idSchema,
  name: nameSchema,
  host: hostSchema,
  port: portSchema,
  weight: weightSchema.default(100),
  capacity: capacitySchema.default(1000),
  agentUrl: agentUrlSchema.nullable().default(null),
});
export const nodeUpdate = z.strictObject({
  name: nameSchema.optional(),
  host: hostSchema.optional(),
  port: portSchema.optional(),
  weight: weightSchema.optional(),
  capacity: capacitySchema.optional(),
  agentUrl: agentUrlSchema.nullable().optional(),
});
export const nodeList = z.strictObject({
  ...pageQuery,
  clusterId: idSchema.optional(),
  health: z.enum(healthValues).optional(),
  adminState: z.enum(adminStateValues).optional(),
});

// ---- pool members
export const poolMemberCreate = z.strictObject({
  nodeId: idSchema,
  weight: weightSchema.default(100),
  backup: z.boolean().default(false),
});
export const poolMemberUpdate = z.strictObject({ weight: weightSchema.optional(), backup: z.boolean().optional() });
export const poolMemberParams = z.strictObject({ id: idSchema, nodeId: idSchema });

// ---- databases
export const databaseCreate = z.strictObject({
  clusterId: idSchema,
  name: nameSchema,
  engine: z.enum(dbEngineValues).default("POSTGRESQL"),
  host: hostSchema,
  port: portSchema,
  role: z.enum(dbRoleValues),
  agentUrl: agentUrlSchema.nullable().default(null),
});
export const databaseUpdate = z.strictObject({
  name: nameSchema.optional(),
  host: hostSchema.optional(),
  port: portSchema.optional(),
  role: z.enum(dbRoleValues).optional(),
  agentUrl: agentUrlSchema.nullable().optional(),
});
export const databaseList = z.strictObject({
  ...pageQuery,
  clusterId: idSchema.optional(),
  role: z.enum(dbRoleValues).optional(),
  health: z.enum(healthValues).optional(),
});

export type ClusterCreate = z.infer<typeof clusterCreate>;
export type ClusterUpdate = z.infer<typeof clusterUpdate>;
export type LoadBalancerCreate = z.infer<typeof loadBalancerCreate>;
export type LoadBalancerUpdate = z.infer<typeof loadBalancerUpdate>;
export type NodeCreate = z.infer<typeof nodeCreate>;
export type NodeUpdate = z.infer<typeof nodeUpdate>;
export type PoolMemberCreate = z.infer<typeof poolMemberCreate>;
export type PoolMemberUpdate = z.infer<typeof poolMemberUpdate>;
export type DatabaseCreate = z.infer<typeof databaseCreate>;
export type DatabaseUpdate = z.infer<typeof databaseUpdate>;
