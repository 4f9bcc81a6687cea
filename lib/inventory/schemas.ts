// Inventory schemas: the inputs (forms, route handlers) and the answers (the
// contract's response schemas, the typed client), so a rule is stated once.
import { z } from "zod";
import {
  agentUrlSchema,
  descriptionSchema,
  hostSchema,
  idSchema,
  nameSchema,
  numberField,
  pageQuery,
  portSchema,
  wireBigint,
  wireDate,
} from "@/lib/common/schemas";
import { archiverStatus, postgresStatus, replicationSlot } from "@/lib/agent-protocol/types";

export const healthValues = ["UP", "DEGRADED", "UNREACHABLE", "DOWN", "UNKNOWN"] as const;
export const adminStateValues = ["ACTIVE", "DRAINING", "DRAINED", "MAINTENANCE"] as const;
export const lbKindValues = ["HAPROXY", "NGINX", "APACHE", "HARDWARE"] as const;
export const lbTierValues = ["EDGE", "SOFTWARE"] as const;
export const dbRoleValues = ["PRIMARY", "REPLICA"] as const;
export const dbEngineValues = ["POSTGRESQL"] as const;
export const replicationStateValues = ["STREAMING", "CATCHUP", "STOPPED", "UNKNOWN"] as const;
/** A former primary's fence: NONE in service; FENCED stopped in order (can rejoin as it is); NEEDS_REBUILD (pg_rewind or a clone). */
export const fenceStateValues = ["NONE", "FENCED", "NEEDS_REBUILD"] as const;

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

// ---- connection poolers (PgBouncer): apps connect to host:port
export const poolerCreate = z.strictObject({
  clusterId: idSchema,
  name: nameSchema,
  host: hostSchema,
  port: portSchema,
  agentUrl: agentUrlSchema.nullable().default(null),
});
export const poolerUpdate = z.strictObject({
  name: nameSchema.optional(),
  host: hostSchema.optional(),
  port: portSchema.optional(),
  agentUrl: agentUrlSchema.nullable().optional(),
});
export const poolerList = z.strictObject({
  ...pageQuery,
  clusterId: idSchema.optional(),
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
export type PoolerCreate = z.infer<typeof poolerCreate>;
export type PoolerUpdate = z.infer<typeof poolerUpdate>;

// ---- answers: the wire form of what the routes return (dates as ISO strings,
// bigints as strings), shared by the contract, the typed client and the pages.
const count = z.number().int();
const clusterRef = z.object({ id: z.string(), name: z.string() });
const healthSchema = z.enum(healthValues);
const adminStateSchema = z.enum(adminStateValues);
const lbKindSchema = z.enum(lbKindValues);

export const clusterView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  environment: z.string(),
  /** Bumped on every change of database primary; a promote names the one it saw. */
  dbGeneration: count,
  autoFailover: z.boolean(),
  autoFailoverPaused: z.boolean(),
  lastFailoverAt: wireDate.nullable(),
  /** Synchronous replication (lib/operations/sync-schema.ts). */
  syncMode: z.enum(["UNMANAGED", "ASYNC", "SYNC", "QUORUM"]),
  syncQuorum: count,
  syncOnLoss: z.enum(["WAIT", "DEGRADE"]),
  syncDegraded: z.boolean(),
  createdAt: wireDate,
  updatedAt: wireDate,
  _count: z.object({ loadBalancers: count, nodes: count, databases: count, poolers: count }),
});

export const loadBalancerView = z.object({
  id: z.string(),
  clusterId: z.string(),
  cluster: clusterRef,
  name: z.string(),
  kind: lbKindSchema,
  tier: z.enum(lbTierValues),
  host: z.string(),
  port: count,
  agentUrl: z.string().nullable(),
  health: healthSchema,
  lastSeenAt: wireDate.nullable(),
  createdAt: wireDate,
  updatedAt: wireDate,
  _count: z.object({ members: count }),
});

/** A node in a load balancer's pool, as the pool lists it. */
export const poolMemberView = z.object({
  id: z.string(),
  weight: count,
  backup: z.boolean(),
  createdAt: wireDate,
  node: z.object({ id: z.string(), name: z.string(), host: z.string(), port: count, health: healthSchema, adminState: adminStateSchema }),
});

/** One load balancer with its pool. */
export const loadBalancerDetail = loadBalancerView.extend({ members: z.array(poolMemberView) });

export const nodeView = z.object({
  id: z.string(),
  clusterId: z.string(),
  cluster: clusterRef,
  name: z.string(),
  host: z.string(),
  port: count,
  weight: count,
  capacity: count,
  adminState: adminStateSchema,
  health: healthSchema,
  activeSessions: count,
  maintenanceReason: z.string().nullable(),
  maintenanceUntil: wireDate.nullable(),
  agentUrl: z.string().nullable(),
  lastSeenAt: wireDate.nullable(),
  createdAt: wireDate,
  updatedAt: wireDate,
  _count: z.object({ memberships: count }),
});

/** One node with the pools it is in. */
export const nodeDetail = nodeView.extend({
  memberships: z.array(
    z.object({
      id: z.string(),
      weight: count,
      backup: z.boolean(),
      loadBalancer: z.object({ id: z.string(), name: z.string(), kind: lbKindSchema, health: healthSchema }),
    }),
  ),
});

export const databaseView = z.object({
  id: z.string(),
  clusterId: z.string(),
  cluster: clusterRef,
  name: z.string(),
  engine: z.enum(dbEngineValues),
  host: z.string(),
  port: count,
  role: z.enum(dbRoleValues),
  replicationState: z.enum(replicationStateValues),
  fence: z.enum(fenceStateValues),
  health: healthSchema,
  timeline: count.nullable(),
  lagBytes: wireBigint.nullable(),
  agentUrl: z.string().nullable(),
  lastSeenAt: wireDate.nullable(),
  createdAt: wireDate,
  updatedAt: wireDate,
});

export const poolerView = z.object({
  id: z.string(),
  clusterId: z.string(),
  cluster: clusterRef,
  name: z.string(),
  host: z.string(),
  port: count,
  agentUrl: z.string().nullable(),
  health: healthSchema,
  lastSeenAt: wireDate.nullable(),
  createdAt: wireDate,
  updatedAt: wireDate,
});

/** Tallies keyed by an enum value; a value no row has is left out. */
const tally = <T extends readonly [string, ...string[]]>(values: T) => z.partialRecord(z.enum(values), count);

/** The dashboard's figures, each an aggregate over every row. */
export const summaryView = z.object({
  clusters: count,
  loadBalancers: z.object({ total: count, byHealth: tally(healthValues) }),
  nodes: z.object({ total: count, byHealth: tally(healthValues), byAdminState: tally(adminStateValues) }),
  databases: z.object({ total: count, primaries: count, replicas: count, byHealth: tally(healthValues) }),
  capacity: z.object({
    /** Sessions every node together is sized for. */
    total: count,
    /** The same, over active nodes that are up or degraded. */
    inService: count,
    activeSessions: count,
    /** N+1: with the largest in-service node gone, the rest still carry today's sessions. */
    survivesLosingLargest: z.boolean(),
  }),
});

export type ClusterWire = z.output<typeof clusterView>;
export type LoadBalancerWire = z.output<typeof loadBalancerView>;
export type LoadBalancerDetailWire = z.output<typeof loadBalancerDetail>;
export type PoolMemberWire = z.output<typeof poolMemberView>;
export type NodeWire = z.output<typeof nodeView>;
export type NodeDetailWire = z.output<typeof nodeDetail>;
export type DatabaseWire = z.output<typeof databaseView>;
export type PoolerWire = z.output<typeof poolerView>;
export type PlatformSummary = z.output<typeof summaryView>;

/** The inventory member a standby or a slot belongs to, when the console can tell. */
const memberRef = z.object({ id: z.string(), name: z.string() }).nullable();

/**
 * A database member's replication as its agent reports it now: the standbys
 * streaming from it, its slots, its WAL archiving. `problem` says why the rest
 * is empty (no agent, no answer, PostgreSQL down).
 */
export const databaseReplicationView = z.object({
  problem: z.string().nullable(),
  /** When the agent took the report. */
  at: z.iso.datetime().nullable(),
  inRecovery: z.boolean().nullable(),
  primarySlotName: z.string().nullable(),
  maxSlotWalKeepSize: z.number().int().nullable(),
  replicas: z.array(postgresStatus.shape.replicas.element.extend({ member: memberRef })).max(100),
  slots: z.array(replicationSlot.extend({ member: memberRef })).max(100),
  archiver: archiverStatus.nullable(),
  /** A replica's side (null on a primary): its WAL receiver, how far it has received and replayed, and how far behind that is. */
  receiver: z
    .object({
      status: z.string().nullable(),
      timeline: z.number().int().nullable(),
      receivedLsn: z.string().nullable(),
      replayedLsn: z.string().nullable(),
      lagBytes: z.number().nullable(),
      lagSeconds: z.number().nullable(),
      replayPaused: z.boolean(),
    })
    .nullable(),
});
export type DatabaseReplicationWire = z.output<typeof databaseReplicationView>;
