// The promote request (shared by the handler, the OpenAPI document and the
// dialog), the check the dialog shows before it, and the other database and
// failover settings' requests and answers.
import { z } from "zod";
import { reasonSchema, wireDate } from "@/lib/common/schemas";
import { dbRoleValues } from "@/lib/inventory/schemas";

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
export const twoPersonRuleAnswer = z.object({ twoPersonRule: z.boolean() });

/** One database member as the promotion check saw it, live through its agent (nulls: its agent did not answer). */
export const promotionMember = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  role: z.enum(dbRoleValues),
  reachable: z.boolean(),
  inRecovery: z.boolean().nullable(),
  timeline: z.number().int().nullable(),
  currentLsn: z.string().nullable(),
  receivedLsn: z.string().nullable(),
  replayedLsn: z.string().nullable(),
  lagBytes: z.number().nullable(),
  replayPaused: z.boolean(),
  /** The replica's WAL receiver: "streaming" while it follows the primary. */
  walReceiverStatus: z.string().nullable(),
  /**
   * For a replica: its sync_state on the primary (pg_stat_replication: "sync",
   * "quorum", "potential", "async"); null when the primary does not answer or
   * does not see it stream.
   */
  syncState: z.string().nullable(),
  /**
   * The primary's synchronous standby: it has every acknowledged write. Live
   * when the primary answers, else the last one the console saw before it was lost.
   */
  syncStandby: z.boolean(),
  /** For a replica: why it may not be promoted without force (empty: it may). */
  blockers: z.array(z.string()),
  /** What promoting it would lose, as far as known: the primary's position minus what it replayed. */
  estimatedLossBytes: z.number().nullable(),
  /** For a replica: the phrase a forced promotion must send back, which names the loss. */
  acknowledgement: z.string().nullable(),
});
export type PromotionMember = z.output<typeof promotionMember>;

/** A PgBouncer pooler of the cluster as the check saw it: a switchover pauses its clients when it can. */
export const promotionPooler = z.object({
  id: z.string(),
  name: z.string(),
  /** From its agent now: DOWN when it does not answer. */
  health: z.enum(["UP", "DEGRADED", "DOWN"]),
  poolMode: z.string().nullable(),
  /** PAUSE holds its clients through the switch (pool_mode transaction, agent answering). */
  canPause: z.boolean(),
  /** Why its clients may fail during the switch: a warning, never a blocker. */
  warning: z.string().nullable(),
});
export type PromotionPooler = z.output<typeof promotionPooler>;

export const promotionCheckAnswer = z.object({
  /** `generation`: the fencing token to send back with the promotion. */
  cluster: z.object({ id: z.string(), name: z.string(), generation: z.number().int() }),
  primaryId: z.string().nullable(),
  primaryReachable: z.boolean(),
  members: z.array(promotionMember),
  poolers: z.array(promotionPooler),
});
export type PromotionCheck = z.output<typeof promotionCheckAnswer>;

/** The cluster's automatic failover after a change. */
export const autoFailoverAnswer = z.object({
  id: z.string(),
  name: z.string(),
  autoFailover: z.boolean(),
  autoFailoverPaused: z.boolean(),
  lastFailoverAt: wireDate.nullable(),
});
