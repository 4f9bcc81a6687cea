// Reading durable operations (deployments, drains, resumes, maintenance,
// promotions, rebuilds): one shape for the API and the progress pages.
import "server-only";
import { db } from "@/lib/db";
import { conflict, forbidden, notFound } from "@/lib/common/errors";
import { can } from "@/lib/auth/permissions";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { maskData, maskText } from "@/lib/agent-protocol/mask";
import { isOperationKind, operationKinds, readKindData } from "@/lib/operations/kinds";
import type { Step } from "@/lib/operations/record";
import { publishChanged } from "@/lib/realtime/publish";
import { operationSubjects, operationTitle } from "@/lib/operations/subjects";

type TargetType = "NODE" | "LOAD_BALANCER" | "DATABASE";

export async function getOperation(id: string) {
  const op = await db.operation.findUnique({
    where: { id },
    select: {
      id: true,
      kind: true,
      state: true,
      subjectType: true,
      subjectId: true,
      reason: true,
      params: true,
      steps: true,
      currentStep: true,
      progress: true,
      error: true,
      cancelRequestedAt: true,
      requestedById: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      deployments: {
        orderBy: [{ batch: "asc" }, { id: "asc" }],
        select: { id: true, targetType: true, targetId: true, batch: true, status: true, checksum: true, error: true, startedAt: true, finishedAt: true },
      },
    },
  });
  if (!op) throw notFound(`Operation '${id}'`);
  const names = await targetNames(op.deployments.map((d) => ({ type: d.targetType as TargetType, id: d.targetId })));
  // Reasons, steps and errors quote agents and admins: masked like any text a viewer reads.
  const { params, progress, ...rest } = op;
  return {
    ...rest,
    // Params and progress read as this release reads them (lib/operations/kinds.ts), so the answer has one shape per kind.
    ...readKindData(op.kind, maskData(params), progress),
    reason: maskText(op.reason),
    steps: maskData(op.steps) as Step[],
    error: op.error === null ? null : maskText(op.error),
    deployments: op.deployments.map((d) => ({
      ...d,
      // Written by startDeployment from the scope's targets: nodes, load balancers or databases.
      targetType: d.targetType as TargetType,
      error: d.error === null ? null : maskText(d.error),
      targetName: names.get(d.targetId) ?? "(removed)",
    })),
  };
}

async function targetNames(targets: { type: TargetType; id: string }[]): Promise<Map<string, string>> {
  const ids = (t: TargetType) => targets.filter((x) => x.type === t).map((x) => x.id);
  const [nodes, lbs, dbs] = await Promise.all([
    db.node.findMany({ where: { id: { in: ids("NODE") } }, select: { id: true, name: true } }),
    db.loadBalancer.findMany({ where: { id: { in: ids("LOAD_BALANCER") } }, select: { id: true, name: true } }),
    db.databaseInstance.findMany({ where: { id: { in: ids("DATABASE") } }, select: { id: true, name: true } }),
  ]);
  return new Map([...nodes, ...lbs, ...dbs].map((x) => [x.id, x.name]));
}

export async function listOperations(query: {
  kind?: string;
  state?: "AWAITING_APPROVAL" | "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  limit: number;
}) {
  const ops = await db.operation.findMany({
    where: { ...(query.kind ? { kind: query.kind } : {}), ...(query.state ? { state: query.state } : {}) },
    orderBy: { createdAt: "desc" },
    take: query.limit,
    select: {
      id: true,
      kind: true,
      state: true,
      subjectType: true,
      subjectId: true,
      reason: true,
      currentStep: true,
      error: true,
      createdAt: true,
      finishedAt: true,
    },
  });
  return ops.map((o) => ({ ...o, reason: maskText(o.reason), error: o.error === null ? null : maskText(o.error) }));
}

export async function cancelOperation(operationId: string, reason: string, audit: AuditContext) {
  return db.$transaction(async (tx) => {
    const op = await tx.operation.findUnique({
      where: { id: operationId },
      select: { id: true, kind: true, state: true, subjectType: true, subjectId: true, cancelRequestedAt: true },
    });
    if (!op) throw notFound(`Operation '${operationId}'`);
    if (op.state === "AWAITING_APPROVAL") {
      // Nothing was done yet: any operator may call it off.
      if (!can(audit.actor.role, "operations:run")) throw forbidden("Cancelling needs an operator or an admin");
      await tx.operation.update({
        where: { id: op.id },
        data: { state: "CANCELLED", finishedAt: new Date(), error: `cancelled before approval: ${reason || "no reason given"}` },
      });
      await recordAudit(tx, audit, {
        action: `${op.kind}.cancel`,
        targetType: "OPERATION",
        targetId: op.id,
        reason,
        summary: { subject: `${op.subjectType}:${op.subjectId}`, effect: "cancelled while waiting for approval" },
      });
      return { id: op.id, cancelRequested: true as const, effect: "cancelled while waiting for approval; nothing had been done" };
    }
    // Which kinds can stop half-way without leaving a mess, and who may stop them: lib/operations/kinds.ts.
    const rule = isOperationKind(op.kind) ? operationKinds[op.kind].cancel : null;
    if (!rule) throw conflict(`A ${op.kind} cannot be cancelled safely half-way; let it finish`);
    if (!can(audit.actor.role, rule.permission)) throw forbidden(`Role ${audit.actor.role} may not cancel a ${op.kind}`);
    if (op.state !== "PENDING" && op.state !== "RUNNING") throw conflict(`The operation has already ended (${op.state.toLowerCase()})`);
    if (op.cancelRequestedAt) return { id: op.id, cancelRequested: true as const, effect: rule.note };
    await tx.operation.update({ where: { id: op.id }, data: { cancelRequestedAt: new Date(), cancelRequestedById: audit.actor.userId ?? null } });
    await recordAudit(tx, audit, {
      action: `${op.kind}.cancel`,
      targetType: "OPERATION",
      targetId: op.id,
      reason,
      summary: { subject: `${op.subjectType}:${op.subjectId}`, effect: rule.note },
    });
    await publishChanged(tx, "OPERATION", op.id);
    return { id: op.id, cancelRequested: true as const, effect: rule.note };
  });
}

/** The drain, resume or maintenance running on a node, if any. */
export function activeNodeOperation(nodeId: string) {
  return db.operation.findFirst({
    where: { subjectType: "NODE", subjectId: nodeId, kind: { startsWith: "node." }, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
    select: { id: true, kind: true },
  });
}

const ACTIVE_STATES = ["AWAITING_APPROVAL", "PENDING", "RUNNING"] as const;
type State = "AWAITING_APPROVAL" | "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

/**
 * The operations page: every operation running, queued or awaiting approval,
 * then the most recent ended ones, each named ("Drain of app-2") with its
 * cluster. Filters by kind and state, as the list route does.
 */
export async function operationsOverview(query: { kind?: string; state?: State; limit: number }) {
  const isActive = (s: State) => (ACTIVE_STATES as readonly State[]).includes(s);
  const kind = query.kind ? { kind: query.kind } : {};
  const select = {
    id: true,
    kind: true,
    state: true,
    subjectType: true,
    subjectId: true,
    reason: true,
    currentStep: true,
    error: true,
    createdAt: true,
    startedAt: true,
    finishedAt: true,
  } as const;
  const [active, recent] = await Promise.all([
    query.state && !isActive(query.state)
      ? []
      : db.operation.findMany({ where: { ...kind, state: query.state ?? { in: [...ACTIVE_STATES] } }, orderBy: { createdAt: "desc" }, select }),
    query.state && isActive(query.state)
      ? []
      : db.operation.findMany({
          where: { ...kind, state: query.state ?? { notIn: [...ACTIVE_STATES] } },
          orderBy: { createdAt: "desc" },
          take: query.limit,
          select,
        }),
  ]);
  const subjects = await operationSubjects([...active, ...recent]);
  const named = (ops: typeof active) =>
    ops.map((o) => {
      const subject = subjects.get(o.subjectId);
      return {
        ...o,
        title: operationTitle(o, subject),
        clusterName: subject?.clusterName ?? null,
        reason: maskText(o.reason),
        currentStep: o.currentStep === null ? null : maskText(o.currentStep),
        error: o.error === null ? null : maskText(o.error),
      };
    });
  return { active: named(active), recent: named(recent) };
}
