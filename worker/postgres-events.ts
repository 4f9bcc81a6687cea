// Events from what a database member's snapshots say about keeping WAL, once
// per transition, never once per snapshot:
//   db.slot-over-limit    a slot's wal_status became unreserved (WARNING: its
//                         replica loses WAL at the next checkpoint) or lost
//                         (CRITICAL: that replica needs a rebuild);
//   db.archive-failed     archiving started failing (CRITICAL);
//   db.archive-recovered  it archives again (INFO).
// The last state seen is kept in memory. What this worker has not seen yet
// (it just started, or took over from another) is compared with the latest
// such event instead, so a restart or a failover of the worker does not
// announce a lasting condition again, and an episode that ended meanwhile
// still gets its recovery.
import type { Db } from "@/lib/db/client";
import type { PostgresStatus } from "@/lib/agent-protocol/types";
import { recordEvent } from "@/lib/events/record";
import type { Watchable } from "@/worker/recorder";
import { log } from "@/lib/log";

const OVER = new Set(["unreserved", "lost"]);
/** Slots the console creates for a member are named after its id (clusterdeck_<member id>). */
const SLOT_PREFIX = "clusterdeck_";

export class PostgresEvents {
  private slots = new Map<string, Map<string, string | null>>();
  private failing = new Map<string, boolean>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  observe(target: Watchable, p: PostgresStatus): void {
    if (p.slots) this.observeSlots(target, p);
    if (p.archiver) this.observeArchiver(target, p.archiver.failing, p.archiver);
  }

  /** Resolves once every event queued so far is written (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private later(what: string, target: Watchable, fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((error) => log.error("postgres-events.write-failed", { what, target: target.id, error: String(error) }));
  }

  private observeSlots(target: Watchable, p: PostgresStatus): void {
    const seen = this.slots.get(target.id);
    const now = new Map((p.slots ?? []).map((s) => [s.name, s.walStatus] as const));
    this.slots.set(target.id, now);
    for (const slot of p.slots ?? []) {
      const status = slot.walStatus;
      if (!status || !OVER.has(status)) continue;
      // A slot this worker has not seen before: the latest event may already tell of it.
      const firstSight = !seen?.has(slot.name);
      if (!firstSight && seen?.get(slot.name) === status) continue;
      const owner = p.replicas.find((r) => r.slotName === slot.name)?.applicationName ?? null;
      this.later("slot-over-limit", target, async () => {
        if (firstSight && (await this.latestSlotStatus(target.id, slot.name)) === status) return;
        const member = await this.ownerOf(target, slot.name, owner);
        const slotWords = member
          ? `${member.name}'s replication slot`
          : slot.name.startsWith(SLOT_PREFIX)
            ? "The replication slot of a removed member"
            : `Replication slot ${slot.name} (an unknown replica's)`;
        const lost = status === "lost";
        await recordEvent(this.db, {
          kind: "db.slot-over-limit",
          severity: lost ? "CRITICAL" : "WARNING",
          subjectType: "DATABASE",
          subjectId: target.id,
          clusterId: target.clusterId,
          // Named by its replica: the console's slot names carry the member's id (data.slot has it).
          message: lost
            ? `${slotWords} on ${target.name} lost WAL its replica needs: ${member?.name ?? "that replica"} can no longer follow and needs a rebuild`
            : `${slotWords} on ${target.name} is over max_slot_wal_keep_size: ${member?.name ?? "its replica"} loses WAL it needs at the next checkpoint`,
          data: { slot: slot.name, walStatus: status, memberId: member?.id ?? null, memberName: member?.name ?? null, retainedBytes: slot.retainedBytes },
        });
      });
    }
  }

  private observeArchiver(target: Watchable, failing: boolean, a: NonNullable<PostgresStatus["archiver"]>): void {
    const before = this.failing.get(target.id);
    this.failing.set(target.id, failing);
    if (before === failing) return;
    this.later("archive", target, async () => {
      const was = before ?? (await this.latestArchiveKind(target.id)) === "db.archive-failed";
      if (was === failing) return;
      await recordEvent(this.db, {
        kind: failing ? "db.archive-failed" : "db.archive-recovered",
        severity: failing ? "CRITICAL" : "INFO",
        subjectType: "DATABASE",
        subjectId: target.id,
        clusterId: target.clusterId,
        message: failing
          ? `WAL archiving on ${target.name} is failing${a.lastFailedWal ? ` (last failed: ${a.lastFailedWal})` : ""}: WAL piles up in pg_wal and point-in-time recovery has a gap`
          : `WAL archiving on ${target.name} works again${a.lastArchivedWal ? ` (last archived: ${a.lastArchivedWal})` : ""}`,
        data: { failedCount: a.failedCount, lastFailedWal: a.lastFailedWal, lastArchivedWal: a.lastArchivedWal },
      });
    });
  }

  private async latestSlotStatus(subjectId: string, slot: string): Promise<string | null> {
    const e = await this.db.event.findFirst({
      where: { kind: "db.slot-over-limit", subjectId, data: { path: ["slot"], equals: slot } },
      orderBy: { id: "desc" },
      select: { data: true },
    });
    return (e?.data as { walStatus?: string } | null)?.walStatus ?? null;
  }

  private async latestArchiveKind(subjectId: string): Promise<string | null> {
    const e = await this.db.event.findFirst({
      where: { kind: { in: ["db.archive-failed", "db.archive-recovered"] }, subjectId },
      orderBy: { id: "desc" },
      select: { kind: true },
    });
    return e?.kind ?? null;
  }

  /** The member a slot serves: by its name (clusterdeck_<id>), else by the standby streaming through it. */
  private async ownerOf(target: Watchable, slot: string, applicationName: string | null): Promise<{ id: string; name: string } | null> {
    const select = { id: true, name: true } as const;
    if (slot.startsWith(SLOT_PREFIX)) {
      const byId = await this.db.databaseInstance.findUnique({ where: { id: slot.slice(SLOT_PREFIX.length) }, select });
      if (byId) return byId;
    }
    if (!applicationName) return null;
    return this.db.databaseInstance.findFirst({ where: { clusterId: target.clusterId, name: applicationName }, select });
  }
}
