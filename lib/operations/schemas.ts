// Requests for the incident actions on a node (drain, resume, maintenance).
// Their fields are the operation kinds' (lib/operations/kinds.ts): what the
// API accepts is what the worker reads back. Below them, what the operations
// routes answer.
import { z } from "zod";
import { wireDate } from "@/lib/common/schemas";
import { subjectTypeValues } from "@/lib/audit/schemas";
import { adminStateValues, healthValues } from "@/lib/inventory/schemas";
import { drainFields, maintenanceFields, OPERATION_KINDS, operationKinds, resumeFields, type OperationKind } from "./kinds";

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

// ---------------------------------------------------------------- answers (wire form)

export const operationStateValues = ["AWAITING_APPROVAL", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export const operationState = z.enum(operationStateValues);
export type OperationState = z.output<typeof operationState>;

/** What an operation acts on (the registry's subjectType; the column allows any subject type). */
const operationSubjectType = z.enum(subjectTypeValues);

/** One entry of an operation's history (lib/operations/record.ts: stepEntry). */
export const operationStep = z.object({ at: wireDate, step: z.string(), detail: z.string().optional() });

/** A configuration deployment's target, in a `config.deploy` operation. */
export const deploymentTarget = z.object({
  id: z.string(),
  targetType: z.enum(["NODE", "LOAD_BALANCER", "DATABASE"]),
  targetId: z.string(),
  /** The target's name now; "(removed)" once it is gone from the inventory. */
  targetName: z.string(),
  /** 0-based: targets of batch 0 change first. */
  batch: z.number().int(),
  status: z.enum(["PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "ROLLED_BACK", "SKIPPED"]),
  checksum: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: wireDate.nullable(),
  finishedAt: wireDate.nullable(),
});

type Kinds = typeof operationKinds;
/** One kind's params and progress, read through the kind's own schemas (lib/operations/kinds.ts: readKindData). */
type KindAnswer<K extends OperationKind> = z.ZodObject<{
  kind: z.ZodLiteral<K>;
  params: z.ZodNullable<Kinds[K]["params"]>;
  progress: z.ZodNullable<Kinds[K]["progress"]>;
}>;
// TypeScript cannot follow each kind through the map into the registry: the one assertion.
const knownKinds = Object.fromEntries(
  OPERATION_KINDS.map((kind) => [
    kind,
    z.object({ kind: z.literal(kind), params: operationKinds[kind].params.nullable(), progress: operationKinds[kind].progress.nullable() }),
  ]),
) as unknown as { [K in OperationKind]: KindAnswer<K> };

/**
 * An operation as GET /operations/{id} answers it (and every route that
 * starts one). `params` and `progress` are the kind's, in this release's
 * version (an earlier version's params upgraded), or null where this release
 * cannot read them: a kind it does not know, params written by a newer
 * release, or a value masking made unreadable. Text is masked like any text a
 * viewer reads.
 */
export const operationAnswer = z
  .object({
    id: z.string(),
    state: operationState,
    subjectType: operationSubjectType,
    subjectId: z.string(),
    reason: z.string(),
    steps: z.array(operationStep),
    currentStep: z.string().nullable(),
    error: z.string().nullable(),
    /** Someone asked it to stop; a cancellable kind stops at its next safe point. */
    cancelRequestedAt: wireDate.nullable(),
    requestedById: z.string().nullable(),
    createdAt: wireDate,
    startedAt: wireDate.nullable(),
    finishedAt: wireDate.nullable(),
    /** A deployment's targets, batch by batch; empty for other kinds. */
    deployments: z.array(deploymentTarget),
  })
  .and(z.union([...Object.values(knownKinds), z.object({ kind: z.string(), params: z.null(), progress: z.null() })]));
export type OperationAnswer = z.output<typeof operationAnswer>;
/** An operation of one known kind, its params and progress typed by the registry. */
export type OperationOf<K extends OperationKind> = Extract<OperationAnswer, { kind: K }>;

/** A row of GET /operations. */
export const operationListItem = z.object({
  id: z.string(),
  kind: z.string(),
  state: operationState,
  subjectType: operationSubjectType,
  subjectId: z.string(),
  reason: z.string(),
  currentStep: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: wireDate,
  finishedAt: wireDate.nullable(),
});
export type OperationListItem = z.output<typeof operationListItem>;

export const approveAnswer = z.object({ id: z.string(), state: z.literal("PENDING") });
export const cancelAnswer = z.object({
  id: z.string(),
  cancelRequested: z.literal(true),
  /** What happens now: cancelled at once (waiting for approval), or the kind's stopping rule. */
  effect: z.string(),
});

/** What draining a node would leave (GET /nodes/{id}/drain-impact). */
export const drainImpactAnswer = z.object({
  node: z.object({
    id: z.string(),
    name: z.string(),
    sessions: z.number().int(),
    capacity: z.number().int(),
    adminState: z.enum(adminStateValues),
    health: z.enum(healthValues),
  }),
  /** Sessions on the cluster's nodes in service now (this one included): all of it must fit on the others. */
  load: z.number().int(),
  /** Capacity of the other nodes in service (ACTIVE and UP or DEGRADED). */
  remainingCapacity: z.number().int(),
  remainingNodes: z.number().int(),
  /** load / remainingCapacity after the drain, to three decimals; -1 when no node is left. */
  utilisationAfter: z.number(),
  canCarry: z.boolean(),
  why: z.string(),
});
export type DrainImpact = z.output<typeof drainImpactAnswer>;
