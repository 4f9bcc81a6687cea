// Setting a cluster's synchronous replication (admins, with a reason, audited
// in the same transaction). The worker's keeper applies it to the primary
// within a second (worker/db-sync.ts).
import "server-only";
import { db } from "@/lib/db";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, notFound } from "@/lib/common/errors";
import { publishChanged } from "@/lib/realtime/publish";
import type { ReplicationModeRequest } from "./sync-schema";
import { liveStatus } from "./databases";

/**
 * synchronous_standby_names as the cluster's primary runs it now (its agent
 * asked): what the cluster page shows while the console does not manage it.
 * Null when there is no primary or it does not answer.
 */
export async function observedSyncStandbyNames(clusterId: string): Promise<string | null> {
  const primary = await db.databaseInstance.findFirst({ where: { clusterId, role: "PRIMARY", fence: "NONE" }, select: { id: true } });
  const s = primary ? await liveStatus(primary.id) : null;
  return s && !s.inRecovery ? (s.syncStandbyNames ?? "") : null;
}

export async function setReplicationMode(clusterId: string, body: ReplicationModeRequest, audit: AuditContext) {
  return db.$transaction(async (tx) => {
    const select = { id: true, name: true, syncMode: true, syncQuorum: true, syncOnLoss: true, syncDegraded: true } as const;
    const before = await tx.cluster.findUnique({ where: { id: clusterId }, select });
    if (!before) throw notFound("Cluster");
    if (body.mode === "QUORUM") {
      const replicas = await tx.databaseInstance.count({ where: { clusterId, role: "REPLICA" } });
      // More than there are replicas: every commit would wait forever.
      if (body.quorum > replicas) throw conflict(`A quorum of ${body.quorum} needs as many replicas; ${before.name} has ${replicas}`);
    }
    const after = await tx.cluster.update({
      where: { id: clusterId },
      // A new choice starts a new episode: the keeper degrades again if it must.
      data: { syncMode: body.mode, syncQuorum: body.quorum, syncOnLoss: body.onLoss, syncDegraded: false },
      select,
    });
    await recordAudit(tx, audit, {
      action: "cluster.replication-mode",
      targetType: "CLUSTER",
      targetId: clusterId,
      reason: body.reason,
      summary: {
        from: { mode: before.syncMode, quorum: before.syncQuorum, onLoss: before.syncOnLoss },
        to: { mode: after.syncMode, quorum: after.syncQuorum, onLoss: after.syncOnLoss },
      },
    });
    await publishChanged(tx, "CLUSTER", clusterId);
    return after;
  });
}
