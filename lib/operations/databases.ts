// Promote a replica: the checks an operator sees before pressing the button,
// and the request that queues the operation (worker/db-ops.ts runs it).
// The cluster carries a generation number, bumped with every change of
// primary: a request names the primary and generation the operator saw, so
// a second promotion started from a stale page is refused, never run.
import "server-only";
import { db } from "@/lib/db";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, forbidden, notFound, unprocessable } from "@/lib/common/errors";
import { AGENT_PATHS, snapshot as snapshotSchema } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { callAgent } from "@/lib/agents/client";
import { publishChanged } from "@/lib/realtime/publish";
import { applicationNameFor } from "@/lib/agent-protocol/sync-standbys";
import { createOperation, stepEntry } from "./record";

import type { AutoFailoverRequest, PromoteRequest, PromotionMember, PromotionPooler } from "./promote-schema";
import { can } from "@/lib/auth/permissions";
import { initialState } from "./approval";

/** A candidate further behind than this (replay lag) needs force. */
export const LAG_LIMIT_BYTES = 16 * 1024 * 1024;

/** "0/3000148" → bytes. */
export function lsnToBytes(lsn: string | null | undefined): bigint | null {
  const m = lsn ? /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn) : null;
  return m ? (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`) : null;
}

/** A subject's snapshot asked of its agent now; null when it does not answer. */
async function liveSnapshot(type: "DATABASE" | "POOLER", id: string) {
  const endpoint = await agentEndpointFor(type, id);
  if (!endpoint) return null;
  try {
    return await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 5000);
  } catch {
    return null;
  }
}

/** A member's PostgreSQL status asked of its agent now; null when it does not answer or is down. */
export async function liveStatus(id: string) {
  const s = await liveSnapshot("DATABASE", id);
  return !s || s.health === "DOWN" || !s.postgres ? null : s.postgres;
}

/** The cluster's poolers, live: one that cannot pause is a warning (its clients fail during the switch, as without a pooler). */
async function poolerCheck(clusterId: string): Promise<PromotionPooler[]> {
  const rows = await db.pooler.findMany({ where: { clusterId }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  return Promise.all(
    rows.map(async (r) => {
      const s = await liveSnapshot("POOLER", r.id);
      const p = s && s.health !== "DOWN" ? s.pgbouncer : undefined;
      const modes = p ? new Set([p.poolMode, ...p.pools.map((x) => x.poolMode)]) : new Set<string | null>();
      const canPause = !!p && modes.size === 1 && modes.has("transaction");
      const warning = !p
        ? "does not answer: it is not paused, its clients may fail during the switch"
        : canPause
          ? null
          : `pool_mode ${[...modes].filter((m) => m !== "transaction").join(", ")}: it cannot pause, its clients may fail during the switch`;
      return { id: r.id, name: r.name, health: p ? (s!.health === "UP" ? "UP" : "DEGRADED") : "DOWN", poolMode: p?.poolMode ?? null, canPause, warning };
    }),
  );
}

/** Every member of the cluster's database, checked live through its agent. */
export async function promotionCheck(clusterId: string) {
  const cluster = await db.cluster.findUnique({ where: { id: clusterId }, select: { id: true, name: true, dbGeneration: true, syncStandby: true } });
  if (!cluster) throw notFound("Cluster");
  const rows = await db.databaseInstance.findMany({
    where: { clusterId },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    select: { id: true, name: true, host: true, port: true, role: true, fence: true },
  });
  const [statuses, poolers] = await Promise.all([Promise.all(rows.map((r) => liveStatus(r.id))), poolerCheck(clusterId)]);
  const primary = rows.find((r) => r.role === "PRIMARY") ?? null;
  const primaryStatus = primary ? statuses[rows.indexOf(primary)] : null;
  const primaryLsn = primaryStatus && !primaryStatus.inRecovery ? lsnToBytes(primaryStatus.currentLsn) : null;
  const received = statuses.map((s) => (s?.inRecovery ? lsnToBytes(s.receivedLsn) : null));
  const best = received.reduce<bigint | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
  // The primary says which standby a commit waits for; each member streams under its inventory name.
  const syncStateOf = (name: string) => primaryStatus?.replicas.find((x) => x.applicationName === applicationNameFor(name))?.syncState ?? null;
  const members: PromotionMember[] = rows.map((r, i) => {
    const s = statuses[i];
    const blockers: string[] = [];
    let loss: number | null = null;
    if (r.role === "REPLICA") {
      if (r.fence !== "NONE") blockers.push(`it is a former primary a promotion fenced (${r.fence.toLowerCase().replace("_", " ")}): rebuild it first`);
      if (!s) blockers.push("its agent does not answer (or it is down)");
      else {
        if (!s.inRecovery) blockers.push("it is not in recovery: it is already a primary");
        if (s.replayPaused) blockers.push("WAL replay is paused on it");
        const mine = received[i] ?? null;
        if (mine !== null && best !== null && mine < best) blockers.push(`it is ${Number(best - mine)} bytes behind another replica`);
        if ((s.lagBytes ?? 0) > LAG_LIMIT_BYTES) blockers.push(`its replay lag (${s.lagBytes} bytes) is over the limit of ${LAG_LIMIT_BYTES}`);
        const mineReplayed = lsnToBytes(s.replayedLsn);
        loss = primaryLsn !== null && mineReplayed !== null ? Math.max(0, Number(primaryLsn - mineReplayed)) : (s.lagBytes ?? null);
      }
    }
    return {
      id: r.id,
      name: r.name,
      host: r.host,
      port: r.port,
      role: r.role,
      reachable: !!s,
      inRecovery: s?.inRecovery ?? null,
      timeline: s?.timeline ?? null,
      currentLsn: s?.currentLsn ?? null,
      receivedLsn: s?.receivedLsn ?? null,
      replayedLsn: s?.replayedLsn ?? null,
      lagBytes: s?.lagBytes ?? null,
      replayPaused: s?.replayPaused ?? false,
      walReceiverStatus: s?.walReceiverStatus ?? null,
      syncState: r.role === "REPLICA" && primaryStatus && !primaryStatus.inRecovery ? syncStateOf(r.name) : null,
      syncStandby: r.role === "REPLICA" && (primaryStatus && !primaryStatus.inRecovery ? syncStateOf(r.name) === "sync" : cluster.syncStandby === r.name),
      blockers,
      estimatedLossBytes: loss,
      acknowledgement: r.role === "REPLICA" ? `promote ${r.name} and lose up to ${loss ?? "an unknown number of"} bytes` : null,
    };
  });
  return {
    cluster: { id: cluster.id, name: cluster.name, generation: cluster.dbGeneration },
    primaryId: primary?.id ?? null,
    primaryReachable: !!primaryStatus,
    members,
    poolers,
  };
}

export async function startPromotion(clusterId: string, body: PromoteRequest, audit: AuditContext, idempotencyKey: string | null) {
  if (idempotencyKey) {
    const same = await db.operation.findUnique({ where: { idempotencyKey }, select: { id: true, kind: true, subjectId: true } });
    if (same) {
      if (same.kind !== "db.promote" || same.subjectId !== clusterId)
        throw conflict(`Idempotency-Key '${idempotencyKey}' was used for another request (operation ${same.id})`);
      return { id: same.id };
    }
  }
  const check = await promotionCheck(clusterId);
  const candidate = check.members.find((m) => m.id === body.candidateId);
  if (!candidate) throw unprocessable(`No database instance ${body.candidateId} in cluster ${check.cluster.name}`);
  if (candidate.role !== "REPLICA") throw conflict(`${candidate.name} is the primary already`);
  if (candidate.blockers.length) {
    if (!body.force)
      throw conflict(
        `Refused: ${candidate.name} cannot be promoted safely: ${candidate.blockers.join("; ")}. Promote with force and the acknowledgement to do it anyway.`,
        { member: candidate },
      );
    if (body.acknowledgement !== candidate.acknowledgement) {
      throw unprocessable(`Forcing needs the acknowledgement typed exactly: "${candidate.acknowledgement}"`, [
        { path: "body.acknowledgement", message: `type: ${candidate.acknowledgement}` },
      ]);
    }
  }
  const op = await db.$transaction(async (tx) => {
    // The cluster row is the lock: every promotion of this cluster passes here one at a time.
    const [cluster] = await tx.$queryRaw<
      { dbGeneration: number; name: string }[]
    >`SELECT "dbGeneration", "name" FROM "Cluster" WHERE "id" = ${clusterId} FOR UPDATE`;
    if (!cluster) throw notFound("Cluster");
    const running = await tx.operation.findFirst({
      where: { kind: "db.promote", subjectId: clusterId, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
      select: { id: true },
    });
    if (running) throw conflict(`A promotion in ${cluster.name} is already in progress (operation ${running.id})`, { operationId: running.id });
    const primary = await tx.databaseInstance.findFirst({ where: { clusterId, role: "PRIMARY" }, select: { id: true } });
    if (cluster.dbGeneration !== body.generation || (primary?.id ?? null) !== body.expectedPrimaryId) {
      throw conflict(
        `The primary of ${cluster.name} changed since you looked (generation ${cluster.dbGeneration}, not ${body.generation}): check again before promoting`,
      );
    }
    const generation = cluster.dbGeneration + 1;
    await tx.cluster.update({ where: { id: clusterId }, data: { dbGeneration: generation } });
    const state = await initialState(tx, true, audit);
    const created = await createOperation(tx, {
      kind: "db.promote",
      state,
      subjectId: clusterId,
      idempotencyKey,
      requestedById: audit.actor.userId ?? null,
      reason: body.reason,
      params: {
        candidateId: candidate.id,
        candidateName: candidate.name,
        oldPrimaryId: primary?.id ?? null,
        generation,
        force: body.force,
        check: check.members,
      },
      steps: [
        stepEntry("requested", `promote ${candidate.name}; generation ${generation}`),
        ...(state === "AWAITING_APPROVAL" ? [stepEntry("waiting for approval", "two-person rule: a second operator or admin must approve")] : []),
      ],
    });
    await recordAudit(tx, audit, {
      action: "db.promote.start",
      targetType: "DATABASE",
      targetId: candidate.id,
      reason: body.reason,
      summary: {
        operationId: created.id,
        cluster: cluster.name,
        generation,
        force: body.force,
        blockers: candidate.blockers,
        estimatedLossBytes: candidate.estimatedLossBytes,
      },
    });
    await publishChanged(tx, "DATABASE");
    return created;
  });
  return { id: op.id };
}

export async function setAutoFailover(clusterId: string, body: AutoFailoverRequest, audit: AuditContext) {
  // Turning it on or off is a standing decision (admins); pausing is an operator's call during an incident.
  if (body.enabled !== undefined && !can(audit.actor.role, "settings:write"))
    throw forbidden("Only an admin turns automatic failover on or off; operators may pause it");
  return db.$transaction(async (tx) => {
    const before = await tx.cluster.findUnique({ where: { id: clusterId }, select: { name: true, autoFailover: true, autoFailoverPaused: true } });
    if (!before) throw notFound("Cluster");
    const after = await tx.cluster.update({
      where: { id: clusterId },
      data: {
        ...(body.enabled !== undefined ? { autoFailover: body.enabled } : {}),
        ...(body.paused !== undefined ? { autoFailoverPaused: body.paused } : {}),
      },
      select: { id: true, name: true, autoFailover: true, autoFailoverPaused: true, lastFailoverAt: true },
    });
    await recordAudit(tx, audit, {
      action: "cluster.auto-failover",
      targetType: "CLUSTER",
      targetId: clusterId,
      reason: body.reason,
      summary: {
        from: { enabled: before.autoFailover, paused: before.autoFailoverPaused },
        to: { enabled: after.autoFailover, paused: after.autoFailoverPaused },
      },
    });
    await publishChanged(tx, "CLUSTER", clusterId);
    return after;
  });
}

/** Queues the rebuild of a former primary as a replica of the cluster's primary. */
export async function startRebuild(databaseId: string, reason: string, audit: AuditContext, idempotencyKey: string | null) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`db-rebuild:${databaseId}`}))`;
    const member = await tx.databaseInstance.findUnique({
      where: { id: databaseId },
      select: { id: true, name: true, clusterId: true, role: true },
    });
    if (!member) throw notFound("Database instance");
    // Any replica may be rebuilt (a fenced former primary, one whose WAL is gone, a damaged one); never the primary.
    if (member.role !== "REPLICA") throw conflict(`${member.name} is the primary: promote another member first, then rebuild it`);
    const primary = await tx.databaseInstance.findFirst({ where: { clusterId: member.clusterId, role: "PRIMARY" }, select: { id: true, name: true } });
    if (!primary) throw conflict("The cluster has no primary to rebuild from");
    const running = await tx.operation.findFirst({
      where: {
        kind: { in: ["db.rebuild", "db.promote"] },
        state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] },
        OR: [{ subjectId: databaseId }, { subjectId: member.clusterId }],
      },
      select: { id: true },
    });
    if (running) throw conflict(`Another database operation is in progress (operation ${running.id})`, { operationId: running.id });
    const op = await createOperation(tx, {
      kind: "db.rebuild",
      subjectId: databaseId,
      idempotencyKey,
      requestedById: audit.actor.userId ?? null,
      reason,
      params: { memberName: member.name, primaryId: primary.id, primaryName: primary.name },
      steps: [stepEntry("requested", `rebuild ${member.name} as a replica of ${primary.name}`)],
    });
    await recordAudit(tx, audit, {
      action: "db.rebuild.start",
      targetType: "DATABASE",
      targetId: databaseId,
      reason,
      summary: { operationId: op.id, from: primary.name },
    });
    return op;
  });
}
