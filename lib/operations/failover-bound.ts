// How long automatic failover can take when the primary is cut off rather
// than crashed (its processes hung, a partition): a replica notices only when
// its WAL receiver has heard nothing for wal_receiver_timeout, and automatic
// failover waits for every replica to say so. That timeout is one of the
// cluster's managed PostgreSQL settings (config push, scope postgres.<id>,
// applied through each member's agent with ALTER SYSTEM and a reload), so it
// is read from the revision each replica runs, never kept twice.
import "server-only";
import { db } from "@/lib/db";
import { partitionWorstCase } from "@/lib/operations/failover-bound-math";

/** The worst case for the cluster's replicas as deployed now (a replica with no deployed revision runs PostgreSQL's 60 s). */
export async function clusterPartitionWorstCase(clusterId: string) {
  const replicas = await db.databaseInstance.findMany({ where: { clusterId, role: "REPLICA" }, select: { id: true } });
  const states = await db.configTargetState.findMany({
    where: { targetType: "DATABASE", targetId: { in: replicas.map((r) => r.id) }, appliedRevisionId: { not: null } },
    select: { targetId: true, appliedRevisionId: true },
  });
  const revisions = await db.configRevision.findMany({
    where: { id: { in: states.map((s) => s.appliedRevisionId!) } },
    select: { id: true, content: true },
  });
  const timeoutOf = (targetId: string) => {
    const revisionId = states.find((s) => s.targetId === targetId)?.appliedRevisionId;
    const content = revisions.find((r) => r.id === revisionId)?.content;
    return content ? (JSON.parse(content) as { settings?: Record<string, string> }).settings?.wal_receiver_timeout : undefined;
  };
  return partitionWorstCase(replicas.map((r) => timeoutOf(r.id)));
}
