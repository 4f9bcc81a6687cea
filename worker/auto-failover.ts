// Automatic failover, off by default, per cluster (Cluster.autoFailover), run
// by the leader worker. It fires only when several observers agree that the
// primary is gone:
//   - the worker: the primary's stored health has been DOWN (after the rise/
//     fall thresholds) for CONFIRM_MS;
//   - the replicas: every replica whose agent answers reports its WAL stream
//     from the primary lost (its WAL receiver not streaming), and at least
//     one answers.
// It then promotes the most advanced replica that passes every check (not
// behind another, not over the lag limit, replay not paused): the same
// promotion an operator starts, with the system as the requester. It never
// fires twice in a cluster within the cool-down, and does nothing while paused.
import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { systemActor } from "@/lib/common/actor";
import { recordEvent } from "@/lib/events/record";
import { AUTO_FAILOVER_COOLDOWN_MS } from "@/lib/operations/promote-schema";

const CONFIRM_MS = 3000;

export class AutoFailover {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** When each cluster's primary was first seen DOWN, and whether a refusal was already announced. */
  private down = new Map<string, { since: number; announced: boolean }>();

  constructor(
    private readonly db: Db,
    private readonly options: { everyMs: number; confirmMs: number; cooldownMs: number } = {
      everyMs: 1000,
      confirmMs: CONFIRM_MS,
      cooldownMs: AUTO_FAILOVER_COOLDOWN_MS,
    },
  ) {}

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
    if (!primary || primary.health !== "DOWN") {
      this.down.delete(cluster.id);
      return;
    }
    const seen = this.down.get(cluster.id) ?? { since: Date.now(), announced: false };
    this.down.set(cluster.id, seen);
    if (Date.now() - seen.since < this.options.confirmMs) return;

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
    const best = eligible.sort((a, b) => Number((lsnToBytes(b.receivedLsn) ?? 0n) - (lsnToBytes(a.receivedLsn) ?? 0n)))[0];
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
    const reason = `automatic failover: ${primary.name} down for ${Math.round((Date.now() - seen.since) / 1000)} s (worker) and its WAL stream lost on ${answering.map((r) => r.name).join(", ")} (replicas)`;
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
