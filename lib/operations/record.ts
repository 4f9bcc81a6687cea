// The writes every operation shares, used by the request side (lib/operations,
// lib/config) and by the worker (worker/operations.ts): queueing one, and
// appending to its step history. Both take the caller's transaction client.
import type { Tx } from "@/lib/db/client";
import { operationKinds, paramsToStore, type OperationKind, type ParamsInput } from "@/lib/operations/kinds";
import { wakeWorker } from "@/lib/realtime/publish";

/** Step details quote agents' answers: long ones are cut. */
const STEP_DETAIL_MAX = 1000;

export type Step = { at: string; step: string; detail?: string };

export function stepEntry(step: string, detail?: string): Step {
  return { at: new Date().toISOString(), step, ...(detail ? { detail: detail.slice(0, STEP_DETAIL_MAX) } : {}) };
}

/** Appends steps to an operation's history (in SQL: concurrent appends never lose one), optionally making the last one current. */
export async function appendSteps(tx: Pick<Tx, "$executeRaw">, operationId: string, steps: Step[], options: { current?: boolean } = {}): Promise<void> {
  const current = options.current ? (steps.at(-1)?.step ?? null) : null;
  await tx.$executeRaw`UPDATE "Operation" SET "steps" = "steps" || ${JSON.stringify(steps)}::jsonb,
    "currentStep" = coalesce(${current}, "currentStep"), "updatedAt" = now() WHERE "id" = ${operationId}`;
}

export type NewOperation<K extends OperationKind> = {
  kind: K;
  subjectId: string;
  params: ParamsInput<K>;
  reason: string;
  requestedById: string | null;
  idempotencyKey: string | null;
  /** AWAITING_APPROVAL when the two-person rule holds it (lib/operations/approval.ts). */
  state?: "PENDING" | "AWAITING_APPROVAL";
  /** The history it starts with ("requested", with what was checked). */
  steps: Step[];
};

/** Queues an operation and wakes the leader worker when the transaction commits. */
export async function createOperation<K extends OperationKind>(tx: Tx, op: NewOperation<K>): Promise<{ id: string }> {
  const created = await tx.operation.create({
    data: {
      kind: op.kind,
      state: op.state ?? "PENDING",
      subjectType: operationKinds[op.kind].subjectType,
      subjectId: op.subjectId,
      idempotencyKey: op.idempotencyKey,
      requestedById: op.requestedById,
      reason: op.reason,
      params: paramsToStore(op.kind, op.params),
      steps: op.steps,
    },
    select: { id: true },
  });
  await wakeWorker(tx, created.id);
  return created;
}
