// Deployments: a revision rolled out batch by batch by a durable operation the
// worker runs (worker/deploy.ts); one at a time per configuration.
import "server-only";
import { db } from "@/lib/db";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound, unprocessable } from "@/lib/common/errors";
import { getOperation } from "@/lib/operations/service";
import { createOperation, stepEntry } from "@/lib/operations/record";
import { readParams } from "@/lib/operations/kinds";
import { resolveScope, scopeTargets, type TargetType } from "./scopes";
import type { DeployRequest } from "./schemas";

export async function startDeployment(revisionId: string, request: DeployRequest, audit: AuditContext, idempotencyKey: string | null) {
  const revision = await db.configRevision.findUnique({ where: { id: revisionId }, select: { id: true, scope: true, number: true, checksum: true } });
  if (!revision) throw notFound(`Revision '${revisionId}'`);
  if (idempotencyKey) {
    const same = await db.operation.findUnique({ where: { idempotencyKey }, select: { id: true, kind: true, subjectId: true, params: true } });
    if (same) {
      if (same.kind !== "config.deploy" || readParams("config.deploy", same.params)?.revisionId !== revisionId)
        throw conflict(`Idempotency-Key '${idempotencyKey}' was used for another request (operation ${same.id})`);
      return getOperation(same.id);
    }
  }
  const scope = await resolveScope(revision.scope);
  const all = await scopeTargets(scope);
  let targets = all.filter((t) => t.enrolled);
  if (request.targetIds) {
    const unknown = request.targetIds.filter((id) => !all.some((t) => t.id === id));
    if (unknown.length)
      throw unprocessable(
        `Not a target of ${scope.name}: ${unknown.join(", ")}`,
        unknown.map((id) => ({ path: "body.targetIds", message: `${id} is not a target of this configuration` })),
      );
    const unenrolled = request.targetIds.filter((id) => !targets.some((t) => t.id === id));
    if (unenrolled.length) throw unprocessable(`These targets have no enrolled agent: ${unenrolled.join(", ")}`);
    targets = targets.filter((t) => request.targetIds!.includes(t.id));
  }
  if (!targets.length) throw unprocessable(`${scope.name} has no target with an enrolled agent to deploy to`);

  const operation = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`config-scope:${scope.key}`}))`;
    const running = await tx.operation.findFirst({
      where: { kind: "config.deploy", subjectId: scope.key, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
      select: { id: true },
    });
    if (running)
      throw conflict(`A deployment of ${scope.name} is already in progress (operation ${running.id}); wait for it or cancel it`, { operationId: running.id });
    const op = await createOperation(tx, {
      kind: "config.deploy",
      subjectId: scope.key,
      idempotencyKey,
      requestedById: audit.actor.userId ?? null,
      reason: request.reason,
      params: {
        revisionId: revision.id,
        revisionNumber: revision.number,
        checksum: revision.checksum,
        batchSize: request.batchSize,
        pauseMs: request.pauseSeconds * 1000,
        targets: targets.length,
      },
      steps: [stepEntry("requested", `revision ${revision.number} to ${targets.length} target(s), ${request.batchSize} at a time`)],
    });
    await tx.configDeployment.createMany({
      data: targets.map((t, i) => ({
        revisionId: revision.id,
        operationId: op.id,
        targetType: t.type,
        targetId: t.id,
        batch: Math.floor(i / request.batchSize),
      })),
    });
    await recordAudit(tx, audit, {
      action: "config.deploy.start",
      targetType: "OPERATION",
      targetId: op.id,
      reason: request.reason,
      summary: {
        scope: scope.key,
        revision: revision.number,
        targets: targets.map((t) => t.name),
        batchSize: request.batchSize,
        pauseSeconds: request.pauseSeconds,
      },
    });
    return op;
  });
  return getOperation(operation.id);
}

/** Deploys to one target the revision it should run (after drift). */
export async function reconcileTarget(type: TargetType, id: string, reason: string, audit: AuditContext) {
  const state = await db.configTargetState.findUnique({
    where: { targetType_targetId: { targetType: type, targetId: id } },
    select: { appliedRevisionId: true },
  });
  if (!state?.appliedRevisionId) throw unprocessable("No revision was ever deployed to this target; deploy one first");
  return startDeployment(state.appliedRevisionId, { batchSize: 1, pauseSeconds: 0, targetIds: [id], reason: reason || "Reconcile drift" }, audit, null);
}
