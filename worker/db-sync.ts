// Synchronous replication as a cluster setting. The primary's
// synchronous_standby_names is rendered from the cluster's mode and its
// replica members (each streams under applicationNameFor(its name)); every
// other member gets ''. A promotion sets it as its own step; the keeper below
// follows setting changes and members added or removed, and handles the loss
// of the last synchronous standby: an event once per episode, and with
// DEGRADE the primary runs async until a standby is back.
// UNMANAGED (every cluster until an admin picks a mode) leaves the value to
// the operator: nothing is set or cleared, only observed (to say which
// replica is synchronous, and what a promotion leaves as it was).
import type { Db } from "@/lib/db/client";
import { applicationNameFor, renderSyncStandbyNames, standbysRequired } from "@/lib/agent-protocol/sync-standbys";
import { recordEvent } from "@/lib/events/record";
import { log } from "@/lib/log";
import { act, status } from "@/worker/db-agent";

const KEEP_EVERY_MS = 1000;

type Member = { id: string; name: string; role: string; fence: string };

/** The primary's value for the cluster's mode and replicas (degradation aside); null when the console does not manage it. */
async function wantedFor(db: Db, clusterId: string) {
  const cluster = await db.cluster.findUniqueOrThrow({
    where: { id: clusterId },
    select: { name: true, syncMode: true, syncQuorum: true, syncOnLoss: true, syncDegraded: true, syncStandby: true, syncNamesSeen: true },
  });
  const replicas = await db.databaseInstance.findMany({ where: { clusterId, role: "REPLICA" }, select: { name: true } });
  const names = replicas.map((r) => applicationNameFor(r.name));
  const { syncMode: mode } = cluster;
  return { cluster, replicas, names, value: mode === "UNMANAGED" ? null : renderSyncStandbyNames(mode, cluster.syncQuorum, names) };
}

/**
 * A promotion's step: the new primary names the remaining replicas (the old
 * primary among them, rejoining), every other member that answers gets ''.
 * The old primary, stopped by then, is cleared when it rejoins.
 */
export async function setSyncStandbys(db: Db, clusterId: string, primary: { id: string; name: string }): Promise<string> {
  const { cluster, value } = await wantedFor(db, clusterId);
  if (value === null) {
    // Left as the operator set it, on every member: a value naming the new primary itself or a member that no longer follows it would make commits wait.
    const seen = cluster.syncNamesSeen ? `the old primary ran synchronous_standby_names = '${cluster.syncNamesSeen}'; ` : "";
    return seen
      ? `${seen}it is not managed by Clusterdeck (the cluster's replication mode is unmanaged): check it on ${primary.name} by hand, or pick a mode`
      : "not managed by Clusterdeck (the cluster's replication mode is unmanaged): left as it was";
  }
  const others = await db.databaseInstance.findMany({ where: { clusterId, id: { not: primary.id }, agentUrl: { not: null } }, select: { id: true } });
  await act("DATABASE", primary.id, { action: "postgres.sync-standbys", value });
  // A stopped member cannot be told; it is cleared when it rejoins (and by the keeper).
  for (const m of others) await act("DATABASE", m.id, { action: "postgres.sync-standbys", value: "" }).catch(() => {});
  return value ? `${primary.name} waits for ${value}` : `${primary.name} replicates asynchronously`;
}

/** A member that streams again as a replica forgets the standbys it named as a primary (unless the cluster leaves the value to the operator). */
export async function clearSyncStandbys(db: Db, memberId: string): Promise<void> {
  const { cluster } = await db.databaseInstance.findUniqueOrThrow({ where: { id: memberId }, select: { cluster: { select: { syncMode: true } } } });
  if (cluster.syncMode !== "UNMANAGED") await act("DATABASE", memberId, { action: "postgres.sync-standbys", value: "" });
}

export class SyncKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Per cluster: whether its primary is without enough synchronous standbys (this worker's last look). */
  private lost = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    private readonly everyMs = KEEP_EVERY_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.keep().catch((error) => log.warn("sync.keep-failed", { error: String(error) })), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async keep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const clusters = await this.db.cluster.findMany({
        select: { id: true, databases: { where: { agentUrl: { not: null } }, select: { id: true, name: true, role: true, fence: true } } },
      });
      await Promise.all(
        clusters.map((c) => this.keepCluster(c.id, c.databases).catch((error) => log.warn("sync.cluster-failed", { cluster: c.id, error: String(error) }))),
      );
    } finally {
      this.running = false;
    }
  }

  private async keepCluster(clusterId: string, members: Member[]) {
    const primary = members.find((m) => m.role === "PRIMARY" && m.fence === "NONE");
    if (!primary) return;
    // A promotion sets the value itself, for a primary that is changing under us.
    const promoting = await this.db.operation.count({ where: { kind: "db.promote", state: { in: ["PENDING", "RUNNING"] }, subjectId: clusterId } });
    if (promoting > 0) return;
    const s = await status(primary.id);
    if (!s || s.inRecovery) return;
    const { cluster, replicas, names, value } = await wantedFor(this.db, clusterId);
    const seen = s.syncStandbyNames ?? "";
    if (seen !== (cluster.syncNamesSeen ?? "")) await this.db.cluster.update({ where: { id: clusterId }, data: { syncNamesSeen: seen } });
    if (value === null) {
      // Not ours: an episode left open by the mode it had ends here, and which replica
      // the operator's value makes synchronous is still worth remembering for a failover.
      await this.episode(clusterId, cluster, primary, false, false, { value: seen, required: 0, streaming: s.replicas.length, unmanaged: true });
      await this.noteSyncStandby(clusterId, cluster, replicas, s.replicas, false);
      return;
    }
    const required = standbysRequired(value);
    // Counted by name and stream, not sync_state: a degraded primary names none, yet a standby that is back must be seen.
    const streaming = s.replicas.filter((r) => r.state === "streaming" && names.includes(r.applicationName)).length;
    const lost = required > 0 && streaming < required;
    const degrade = lost && cluster.syncOnLoss === "DEGRADE";
    await this.episode(clusterId, cluster, primary, lost, degrade, { value, required, streaming });
    await this.noteSyncStandby(clusterId, cluster, replicas, s.replicas, lost);
    const effective = degrade ? "" : value;
    if (seen !== effective) await act("DATABASE", primary.id, { action: "postgres.sync-standbys", value: effective });
    await Promise.all(
      members
        .filter((m) => m.role === "REPLICA" && m.fence === "NONE")
        .map(async (m) => {
          const r = await status(m.id);
          if (r?.inRecovery && (r.syncStandbyNames ?? "") !== "") await act("DATABASE", m.id, { action: "postgres.sync-standbys", value: "" });
        }),
    );
  }

  /** db.sync-standby-lost once when the episode starts, db.sync-standby-back when it ends; the degradation stored with it. */
  private async episode(
    clusterId: string,
    cluster: { name: string; syncOnLoss: string; syncDegraded: boolean },
    primary: Member,
    lost: boolean,
    degrade: boolean,
    seen: { value: string; required: number; streaming: number; unmanaged?: boolean },
  ) {
    // Not seen by this worker yet (it just started or took over): the latest event says.
    const before = this.lost.get(clusterId) ?? (await this.latestKind(clusterId)) === "db.sync-standby-lost";
    this.lost.set(clusterId, lost);
    if (before === lost && cluster.syncDegraded === degrade) return;
    await this.db.$transaction(async (tx) => {
      if (cluster.syncDegraded !== degrade) await tx.cluster.update({ where: { id: clusterId }, data: { syncDegraded: degrade } });
      if (before === lost) return;
      const waitingFor = `${seen.required} synchronous standby(s) of ${seen.value}, ${seen.streaming} streaming`;
      await recordEvent(tx, {
        kind: lost ? "db.sync-standby-lost" : "db.sync-standby-back",
        severity: lost ? "CRITICAL" : "INFO",
        subjectType: "CLUSTER",
        subjectId: clusterId,
        clusterId,
        message: lost
          ? degrade
            ? `${cluster.name}: ${primary.name} lost its synchronous standby (${waitingFor}): switched to asynchronous replication, as the cluster chose (degrade): commits no longer wait, and writes acknowledged from now on can be lost if ${primary.name} fails`
            : `${cluster.name}: ${primary.name} lost its synchronous standby (${waitingFor}): commits wait until one is back, as the cluster chose (wait): no acknowledged write can be lost`
          : seen.required > 0
            ? `${cluster.name}: ${primary.name} has its synchronous standby again (${seen.streaming} streaming)${cluster.syncDegraded ? ": synchronous replication is back on" : ""}`
            : `${cluster.name}: ${primary.name} no longer waits for a synchronous standby (${seen.unmanaged ? "synchronous replication is left to the operator now: not managed by Clusterdeck" : "the cluster replicates asynchronously now"})`,
        data: { primaryId: primary.id, value: seen.value, required: seen.required, streaming: seen.streaming, degraded: degrade },
      });
    });
  }

  /**
   * Which replica has every acknowledged write, for a failover decided once
   * the primary is gone: the one the primary reports as "sync" (FIRST 1). While
   * commits wait for a lost one (WAIT), it still has them all; degraded or a
   * quorum, no single replica does. Unmanaged: the one the operator's value
   * makes "sync", while the primary says so.
   */
  private async noteSyncStandby(
    clusterId: string,
    cluster: { syncMode: string; syncOnLoss: string; syncStandby: string | null },
    replicas: { name: string }[],
    streams: { applicationName: string; syncState: string }[],
    lost: boolean,
  ) {
    const sync = streams.find((r) => r.syncState === "sync");
    const member = sync ? (replicas.find((r) => applicationNameFor(r.name) === sync.applicationName)?.name ?? null) : null;
    let next: string | null = null;
    if (cluster.syncMode === "UNMANAGED") next = member;
    if (cluster.syncMode === "SYNC") next = member ?? (lost && cluster.syncOnLoss === "WAIT" ? cluster.syncStandby : null);
    if (next !== cluster.syncStandby) await this.db.cluster.update({ where: { id: clusterId }, data: { syncStandby: next } });
  }

  private async latestKind(clusterId: string): Promise<string | null> {
    const e = await this.db.event.findFirst({
      where: { kind: { in: ["db.sync-standby-lost", "db.sync-standby-back"] }, subjectId: clusterId },
      orderBy: { id: "desc" },
      select: { kind: true },
    });
    return e?.kind ?? null;
  }
}
