// Automatic failover, off by default, per cluster (Cluster.autoFailover), run
// by the leader worker. It fires only when observers that fail differently
// agree that the primary is gone, and the replicas always have a say:
//   - the replicas: every replica whose agent answers reports its WAL stream
//     from the primary lost (its WAL receiver not streaming), and at least
//     one answers. Required on both paths: a replica still streaming has the
//     primary's own word that it lives, whatever the console sees.
//   - fast path, the primary's own agent: it answers on the worker's channel
//     and has reported its PostgreSQL DOWN in consecutive snapshots spanning
//     FAST_CONFIRM_MS on its own clock. A process crash on a live host (the
//     common case) is known this way within one snapshot interval; there is
//     nothing to wait out, so no worker-side timer and no fall threshold
//     stands in the way.
//   - slow path, the worker's view: the primary's agent is silent too (host
//     lost, partition), so only the stored health speaks for the primary:
//     DOWN (after the fall threshold) for CONFIRM_MS, and not answering a live
//     call either. A console-side cut looks like this from here, which is why
//     the replicas' agreement decides it: they keep streaming then.
// The app agents' view is not an observer: an app snapshot carries named
// backend probes, not which database member a probe reaches, so it cannot
// say the primary is gone without guessing.
// It then promotes the most advanced replica that passes every check (not
// behind another, not over the lag limit, replay not paused; among equals the
// synchronous standby, and the reason says so): the same
// promotion an operator starts, with the system as the requester. It never
// fires twice in a cluster within the cool-down, does nothing while paused,
// and stays out of a promotion already under way (an operator's).
import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { systemActor } from "@/lib/common/actor";
import { recordEvent } from "@/lib/events/record";
import { AUTO_FAILOVER_COOLDOWN_MS } from "@/lib/operations/promote-schema";
import type { PostgresView } from "@/worker/monitor";

/**
 * Slow path. The agent is silent, so this timer runs on the worker's clock;
 * it is not what bounds a host loss (the replicas notice only after
 * wal_receiver_timeout), it is there so a silence of a few seconds never
 * promotes on its own. Kept at its value from before the fast path.
 */
const CONFIRM_MS = 3000;
/**
 * Fast path: two consecutive DOWN reports at least this far apart on the
 * agent's clock (at the default 1 s interval: the second report). One failed
 * collect is not a crash; two, with every replica's stream gone, is.
 */
const FAST_CONFIRM_MS = 500;

export type AutoFailoverOptions = {
  everyMs: number;
  confirmMs: number;
  /** null: no fast path (the decision before it, which the failover benchmark measures as its baseline). */
  fastConfirmMs: number | null;
  cooldownMs: number;
  /** The worker's channel to a database member's agent (Monitor.postgresView). */
  primaryView: (databaseId: string) => PostgresView | undefined;
};

export class AutoFailover {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** When each cluster's primary was first seen DOWN, and whether a refusal was already announced. */
  private down = new Map<string, { since: number; announced: boolean }>();
  private readonly options: AutoFailoverOptions;

  constructor(
    private readonly db: Db,
    options: Partial<AutoFailoverOptions> = {},
  ) {
    this.options = {
      // Each check is one indexed query; the agents are asked only once the primary looks gone.
      everyMs: 250,
      confirmMs: CONFIRM_MS,
      fastConfirmMs: FAST_CONFIRM_MS,
      cooldownMs: AUTO_FAILOVER_COOLDOWN_MS,
      primaryView: () => undefined,
      ...options,
    };
  }

  start(): void {
    this.timer = setInterval(() => void this.check().catch((error) => log.warn("auto-failover.check-failed", { error: String(error) })), this.options.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const clusters = await this.db.cluster.findMany({
        where: { autoFailover: true, autoFailoverPaused: false },
        select: { id: true, name: true, lastFailoverAt: true, databases: { where: { role: "PRIMARY" }, select: { id: true, name: true, health: true } } },
      });
      const watched = new Set(clusters.map((c) => c.id));
      for (const id of this.down.keys()) if (!watched.has(id)) this.down.delete(id);
      for (const cluster of clusters) await this.consider(cluster);
    } finally {
      this.running = false;
    }
  }

  private async consider(cluster: { id: string; name: string; lastFailoverAt: Date | null; databases: { id: string; name: string; health: string }[] }) {
    const primary = cluster.databases[0];
    const view = primary ? this.options.primaryView(primary.id) : undefined;
    const fastConfirmMs = this.options.fastConfirmMs;
    // The primary's own agent says its PostgreSQL is down, long enough: no need to wait for the stored health.
    const fast = fastConfirmMs !== null && !!view?.answering && view.downSpanMs !== null && view.downSpanMs >= fastConfirmMs;
    if (!primary || (!fast && primary.health !== "DOWN")) {
      this.down.delete(cluster.id);
      return;
    }
    const seen = this.down.get(cluster.id) ?? { since: Date.now(), announced: false };
    this.down.set(cluster.id, seen);
    if (!fast && Date.now() - seen.since < this.options.confirmMs) return;
    // An operator's promotion (or ours) is under way: its fence and its promote look like a failure from here.
    const promoting = await this.db.operation.count({
      where: { kind: "db.promote", subjectId: cluster.id, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
    });
    if (promoting) return;

    const { lsnToBytes, promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const check = await promotionCheck(cluster.id);
    if (check.primaryReachable) return; // its agent answers after all: not gone
    const replicas = check.members.filter((m) => m.role === "REPLICA");
    const answering = replicas.filter((m) => m.reachable);
    const streamLost = answering.length > 0 && answering.every((m) => m.walReceiverStatus !== "streaming");
    if (!streamLost) return;
    if (cluster.lastFailoverAt && Date.now() - cluster.lastFailoverAt.getTime() < this.options.cooldownMs) {
      return this.announceOnce(
        cluster,
        seen,
        `automatic failover held: the last one was ${Math.round((Date.now() - cluster.lastFailoverAt.getTime()) / 1000)} s ago (cool-down ${this.options.cooldownMs / 60_000} min)`,
      );
    }
    const eligible = replicas.filter((m) => m.reachable && m.blockers.length === 0);
    // The most advanced; among equals the synchronous standby, which has every acknowledged write.
    const sync = (m: (typeof eligible)[number]) => (m.syncStandby ? 1 : 0);
    const best = eligible.sort((a, b) => Number((lsnToBytes(b.receivedLsn) ?? 0n) - (lsnToBytes(a.receivedLsn) ?? 0n)) || sync(b) - sync(a))[0];
    if (!best) {
      return this.announceOnce(
        cluster,
        seen,
        `automatic failover cannot act: no replica passes the checks (${replicas.map((r) => `${r.name}: ${r.blockers.join(", ") || "unreachable"}`).join("; ")})`,
      );
    }
    // Claim the cool-down first: of two racing workers (or checks), one goes on.
    const claimed = await this.db.$executeRaw`
      UPDATE "Cluster" SET "lastFailoverAt" = now()
      WHERE "id" = ${cluster.id} AND ("lastFailoverAt" IS NULL OR "lastFailoverAt" < now() - make_interval(secs => ${this.options.cooldownMs / 1000}))`;
    if (claimed !== 1) return;
    const why = fast
      ? `its agent reports PostgreSQL down for ${(view!.downSpanMs! / 1000).toFixed(1)} s`
      : `DOWN to the worker for ${Math.round((Date.now() - seen.since) / 1000)} s`;
    const reason = `automatic failover: ${primary.name} down (${why}) and its WAL stream lost on ${answering.map((r) => r.name).join(", ")} (replicas)${best.syncStandby ? `; ${best.name} is the synchronous standby: it has every acknowledged write` : ""}`;
    try {
      const op = await startPromotion(
        cluster.id,
        { candidateId: best.id, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason, force: false },
        { actor: systemActor("auto-failover"), requestId: `auto-failover:${cluster.id}:${Date.now()}`, clientIp: null },
        null,
      );
      log.warn("auto-failover.started", { cluster: cluster.name, candidate: best.name, operationId: op.id });
      this.down.delete(cluster.id);
    } catch (error) {
      // Refused (someone promoted by hand meanwhile, or a promotion runs): give the cool-down back.
      await this.db.$executeRaw`UPDATE "Cluster" SET "lastFailoverAt" = ${cluster.lastFailoverAt} WHERE "id" = ${cluster.id}`;
      log.warn("auto-failover.refused", { cluster: cluster.name, error: String(error) });
    }
  }

  private async announceOnce(cluster: { id: string; name: string }, seen: { announced: boolean }, message: string) {
    if (seen.announced) return;
    seen.announced = true;
    await recordEvent(this.db, {
      kind: "db.failover-held",
      severity: "CRITICAL",
      subjectType: "CLUSTER",
      subjectId: cluster.id,
      clusterId: cluster.id,
      message: `${cluster.name}: ${message}`,
    });
  }
}
