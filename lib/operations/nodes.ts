// Incident actions on an app node: drain, resume, maintenance. Each is a
// durable operation (the worker runs it: worker/node-ops.ts); here they are
// checked and queued. One at a time per node: a second request while one is
// pending or running gets 409 naming it. A drain that would leave the other
// nodes unable to carry the load is refused unless forced with a reason.
import "server-only";
import { db } from "@/lib/db";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound } from "@/lib/common/errors";
import { publishChanged } from "@/lib/realtime/publish";
import { createOperation, stepEntry } from "./record";
import { initialState } from "./approval";
import { NODE_KINDS, type DrainImpact, type DrainRequest, type MaintenanceRequest, type ResumeRequest } from "./schemas";

export async function drainImpact(nodeId: string): Promise<DrainImpact> {
  const node = await db.node.findUnique({
    where: { id: nodeId },
    select: { id: true, name: true, clusterId: true, activeSessions: true, capacity: true, adminState: true, health: true },
  });
  if (!node) throw notFound("Node");
  // Summed in SQL: a cluster of 2,000 nodes is one row back, not 2,000.
  const others = await db.node.aggregate({
    where: { clusterId: node.clusterId, id: { not: node.id }, adminState: "ACTIVE", health: { in: ["UP", "DEGRADED"] } },
    _sum: { capacity: true, activeSessions: true },
    _count: { _all: true },
  });
  const remainingNodes = others._count._all;
  // The others' sessions and this node's (whether it is in service or not) must all fit on the others.
  const load = (others._sum.activeSessions ?? 0) + node.activeSessions;
  const remainingCapacity = others._sum.capacity ?? 0;
  const utilisationAfter = remainingCapacity > 0 ? load / remainingCapacity : Number.POSITIVE_INFINITY;
  const canCarry = remainingNodes > 0 && load <= remainingCapacity;
  const why =
    remainingNodes === 0
      ? `no other node of the cluster is in service: draining ${node.name} takes the application down`
      : canCarry
        ? `${remainingNodes} other node(s) can carry ${load} session(s): ${Math.round(utilisationAfter * 100)}% of their ${remainingCapacity} capacity`
        : `${load} session(s) would not fit on the ${remainingNodes} other node(s) in service (capacity ${remainingCapacity}, ${Math.round(utilisationAfter * 100)}%)`;
  return {
    node: { id: node.id, name: node.name, sessions: node.activeSessions, capacity: node.capacity, adminState: node.adminState, health: node.health },
    load,
    remainingCapacity,
    remainingNodes,
    utilisationAfter: Number.isFinite(utilisationAfter) ? Math.round(utilisationAfter * 1000) / 1000 : -1,
    canCarry,
    why,
  };
}

type NodeOperationRequest =
  { kind: "node.drain"; body: DrainRequest } | { kind: "node.resume"; body: ResumeRequest } | { kind: "node.maintenance"; body: MaintenanceRequest };

export async function startNodeOperation(nodeId: string, request: NodeOperationRequest, audit: AuditContext, idempotencyKey: string | null) {
  if (idempotencyKey) {
    const same = await db.operation.findUnique({ where: { idempotencyKey }, select: { id: true, kind: true, subjectId: true } });
    if (same) {
      if (same.kind !== request.kind || same.subjectId !== nodeId)
        throw conflict(`Idempotency-Key '${idempotencyKey}' was used for another request (operation ${same.id})`);
      return { id: same.id, repeated: true };
    }
  }
  const impact = request.kind === "node.drain" ? await drainImpact(nodeId) : null;
  const op = await db.$transaction(async (tx) => {
    // Serializes every request for this node: exactly one can pass the checks below.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`node-operation:${nodeId}`}))`;
    const node = await tx.node.findUnique({ where: { id: nodeId }, select: { id: true, name: true, adminState: true, clusterId: true } });
    if (!node) throw notFound("Node");
    const running = await tx.operation.findFirst({
      where: { subjectType: "NODE", subjectId: nodeId, kind: { in: [...NODE_KINDS] }, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
      select: { id: true, kind: true },
    });
    if (running)
      throw conflict(`${node.name} already has a ${running.kind.replace("node.", "")} in progress (operation ${running.id})`, { operationId: running.id });
    if (request.kind === "node.drain") {
      if (node.adminState !== "ACTIVE") throw conflict(`${node.name} is ${node.adminState.toLowerCase()}, not active: nothing to drain`);
      if (!impact!.canCarry && !request.body.force) {
        throw conflict(`Refused: ${impact!.why}. Drain with force and a reason to do it anyway.`, { impact });
      }
    }
    if (request.kind === "node.resume" && node.adminState === "ACTIVE") {
      const overrides = await tx.runtimeOverride.count({ where: { nodeId } });
      if (!overrides) throw conflict(`${node.name} is already active`);
    }
    if (request.kind === "node.maintenance" && node.adminState === "MAINTENANCE") throw conflict(`${node.name} is already in maintenance`);
    // The two-person rule covers forced actions: a drain past the capacity check.
    const state = await initialState(tx, request.kind === "node.drain" && request.body.force, audit);
    const steps = [
      stepEntry("requested", impact?.why),
      ...(state === "AWAITING_APPROVAL" ? [stepEntry("waiting for approval", "two-person rule: a forced drain needs a second operator or admin")] : []),
    ];
    const created = await createOperation(tx, {
      kind: request.kind,
      subjectId: nodeId,
      idempotencyKey,
      requestedById: audit.actor.userId ?? null,
      reason: request.body.reason,
      state,
      steps,
      params: { ...request.body, nodeName: node.name, clusterId: node.clusterId, ...(impact ? { impact } : {}) },
    });
    await recordAudit(tx, audit, {
      action: `${request.kind}.start`,
      targetType: "NODE",
      targetId: nodeId,
      reason: request.body.reason,
      summary: {
        operationId: created.id,
        ...(request.kind === "node.drain"
          ? {
              force: request.body.force,
              forceReason: request.body.forceReason ?? null,
              deadlineSeconds: request.body.deadlineSeconds,
              escalation: request.body.escalation,
              impact: impact!.why,
            }
          : {}),
      },
    });
    await publishChanged(tx, "NODE", nodeId);
    return created;
  });
  return { id: op.id, repeated: false };
}
