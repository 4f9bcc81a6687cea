// The two-person rule: when on (Setting "twoPersonRule"), a promotion and any
// forced action wait in AWAITING_APPROVAL until a second operator or admin,
// not the requester, approves it. Nothing is done before that; cancelling
// one that waits is always safe. Automatic failover does not wait: it exists
// for when nobody is there.
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, forbidden, notFound } from "@/lib/common/errors";
import { can } from "@/lib/auth/permissions";
import { publishChanged, wakeWorker } from "@/lib/realtime/publish";
import { appendSteps, stepEntry } from "./record";

const KEY = "twoPersonRule";

export async function twoPersonRule(tx: Tx = db): Promise<boolean> {
  const row = await tx.setting.findUnique({ where: { key: KEY }, select: { value: true } });
  return (row?.value as { enabled?: boolean } | undefined)?.enabled === true;
}

export async function setTwoPersonRule(enabled: boolean, reason: string, audit: AuditContext) {
  return db.$transaction(async (tx) => {
    const before = await twoPersonRule(tx);
    await tx.setting.upsert({ where: { key: KEY }, create: { key: KEY, value: { enabled } }, update: { value: { enabled } } });
    await recordAudit(tx, audit, { action: "settings.two-person-rule", targetType: "CONFIG", reason, summary: { from: before, to: enabled } });
    return { twoPersonRule: enabled };
  });
}

/** The state a new operation starts in: waiting for approval when the rule applies to it. */
export async function initialState(tx: Tx, needsApproval: boolean, audit: AuditContext): Promise<"AWAITING_APPROVAL" | "PENDING"> {
  if (!needsApproval || audit.actor.type === "SYSTEM") return "PENDING";
  return (await twoPersonRule(tx)) ? "AWAITING_APPROVAL" : "PENDING";
}

export async function approveOperation(operationId: string, reason: string, audit: AuditContext) {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<
      { state: string; requestedById: string | null; kind: string }[]
    >`SELECT "state", "requestedById", "kind" FROM "Operation" WHERE "id" = ${operationId} FOR UPDATE`;
    const op = rows[0];
    if (!op) throw notFound(`Operation '${operationId}'`);
    if (op.state !== "AWAITING_APPROVAL") throw conflict(`The operation is ${op.state.toLowerCase().replace("_", " ")}, not waiting for approval`);
    if (!can(audit.actor.role, "operations:run")) throw forbidden("Approving needs an operator or an admin");
    if (!audit.actor.userId || audit.actor.userId === op.requestedById) throw forbidden("A second person must approve: not the one who asked");
    await tx.operation.update({ where: { id: operationId }, data: { state: "PENDING" } });
    await appendSteps(tx, operationId, [stepEntry("approved", `by ${audit.actor.label}: ${reason}`)]);
    await recordAudit(tx, audit, { action: `${op.kind}.approve`, targetType: "OPERATION", targetId: operationId, reason });
    await wakeWorker(tx, operationId);
    await publishChanged(tx, "OPERATION", operationId);
    return { id: operationId, state: "PENDING" as const };
  });
}
