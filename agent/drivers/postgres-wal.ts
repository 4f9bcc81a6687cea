// The WAL-keeping half of the postgres snapshot: replication slots (what they
// hold back, whether they are over max_slot_wal_keep_size) and WAL archiving
// (pg_stat_archiver). Read in the driver's one status query; turned here into
// the snapshot's fields, the reasons a server is DEGRADED, and gauges.
//
// Why these count as DEGRADED:
// - a slot whose wal_status is 'unreserved' loses WAL its replica still needs
//   at the next checkpoint; 'lost' already did: that replica needs a rebuild.
// - max_slot_wal_keep_size = -1 with slots: nothing bounds what a dead
//   replica's slot keeps, and pg_wal grows until the disk is full. Temporary
//   slots (pg_basebackup's) end with their session, so they do not count.
// - archiving failing: WAL waits in pg_wal for the archiver (it fills the disk
//   too), and point-in-time recovery has a gap from the first failure on.
import type { Registry } from "prom-client";
import type { ArchiverStatus, PostgresStatus, ReplicationSlot } from "@/lib/agent-protocol/types";
import { family } from "../prom";

export interface WalRow {
  in_recovery: boolean;
  slots: {
    slot_name: string;
    slot_type: string;
    temporary: boolean;
    active: boolean;
    active_pid: number | null;
    restart_lsn: string | null;
    wal_status: string | null;
    safe_wal_size: number | null;
    retained_bytes: number | null;
  }[];
  /** Bytes; -1 = unlimited. */
  max_slot_wal_keep_size: number | null;
  primary_slot_name: string | null;
  archive_mode: string;
  archive_configured: boolean;
  archiver: {
    archived_count: number | string;
    last_archived_wal: string | null;
    last_archived_time: number | null;
    failed_count: number | string;
    last_failed_wal: string | null;
    last_failed_time: number | null;
  } | null;
}

type WalFields = Pick<PostgresStatus, "slots" | "maxSlotWalKeepSize" | "primarySlotName" | "archiver">;

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/** Epoch seconds (from the database) → ISO text, as the protocol carries times. */
export function isoOf(epochSeconds: number | null | undefined): string | null {
  return epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds) ? null : new Date(epochSeconds * 1000).toISOString();
}

const countOf = (v: number | string | null | undefined) => Math.max(0, Math.trunc(Number(v ?? 0)) || 0);

export function walStatusOf(row: WalRow): WalFields {
  const slots: ReplicationSlot[] = row.slots.slice(0, 100).map((s) => ({
    name: clip(s.slot_name, 64),
    type: clip(s.slot_type, 20),
    temporary: s.temporary,
    active: s.active,
    activePid: s.active_pid,
    restartLsn: s.restart_lsn,
    walStatus: s.wal_status === null ? null : clip(s.wal_status, 20),
    safeWalSize: s.safe_wal_size,
    retainedBytes: s.retained_bytes === null ? null : Math.max(0, s.retained_bytes),
  }));
  return {
    slots,
    maxSlotWalKeepSize: row.max_slot_wal_keep_size === null ? null : Math.trunc(row.max_slot_wal_keep_size),
    primarySlotName: row.primary_slot_name === null ? null : clip(row.primary_slot_name, 64),
    archiver: row.archiver ? archiverOf(row, row.archiver) : null,
  };
}

function archiverOf(row: WalRow, a: NonNullable<WalRow["archiver"]>): ArchiverStatus {
  // A replica archives only with archive_mode = always; its pg_stat_archiver
  // may still hold what it did as a primary, which says nothing about now.
  const archives = row.archive_mode === "always" || (row.archive_mode === "on" && !row.in_recovery);
  const failedCount = countOf(a.failed_count);
  const lastFailed = a.last_failed_time;
  const failing = archives && failedCount > 0 && lastFailed !== null && (a.last_archived_time === null || lastFailed > a.last_archived_time);
  return {
    mode: clip(row.archive_mode, 20),
    configured: row.archive_configured,
    archivedCount: countOf(a.archived_count),
    lastArchivedWal: a.last_archived_wal,
    lastArchivedAt: isoOf(a.last_archived_time),
    failedCount,
    lastFailedWal: a.last_failed_wal,
    lastFailedAt: isoOf(lastFailed),
    failing,
  };
}

/** Why the server is DEGRADED on account of its slots or archiving; stable words (no counters), so reasons do not churn. */
export function walReasons(p: WalFields & Pick<PostgresStatus, "inRecovery">): string[] {
  const reasons: string[] = [];
  const slots = p.slots ?? [];
  for (const s of slots) {
    if (s.walStatus === "lost") reasons.push(`replication slot ${s.name} lost WAL its replica needs: that replica can no longer follow and needs a rebuild`);
    if (s.walStatus === "unreserved")
      reasons.push(`replication slot ${s.name} is over max_slot_wal_keep_size: its replica loses WAL it needs at the next checkpoint`);
  }
  const lasting = slots.filter((s) => !s.temporary).length;
  if (p.maxSlotWalKeepSize === -1 && lasting > 0) {
    reasons.push(
      `max_slot_wal_keep_size is unlimited (-1) with ${lasting === 1 ? "a replication slot" : "replication slots"}: a dead replica can fill the disk`,
    );
  }
  const a = p.archiver;
  if (a?.failing) reasons.push("WAL archiving is failing: WAL piles up in pg_wal and point-in-time recovery has a gap");
  else if (a && a.mode === "on" && !p.inRecovery && !a.configured) {
    reasons.push("archive_mode is on but neither archive_command nor archive_library is set: WAL piles up in pg_wal");
  }
  return reasons;
}

export function walMetrics(registry: Registry, p: PostgresStatus): void {
  const slots = p.slots ?? [];
  if (p.maxSlotWalKeepSize !== null && p.maxSlotWalKeepSize !== undefined) {
    family(registry, "clusterdeck_postgres_max_slot_wal_keep_size_bytes", "gauge", "max_slot_wal_keep_size in bytes; -1 = unlimited.", p.maxSlotWalKeepSize);
  }
  family(registry, "clusterdeck_postgres_replication_slots", "gauge", "Replication slots on this server (pg_replication_slots rows).", slots.length);
  const labelled = (value: (s: ReplicationSlot) => number | null) =>
    slots.flatMap((s) => {
      const v = value(s);
      return v === null ? [] : [{ labels: { slot_name: s.name }, value: v }];
    });
  family(
    registry,
    "clusterdeck_postgres_slot_active",
    "gauge",
    "Per slot: 1 when a replica streams through it.",
    labelled((s) => (s.active ? 1 : 0)),
  );
  family(
    registry,
    "clusterdeck_postgres_slot_retained_bytes",
    "gauge",
    "Per slot: WAL it holds back (current position − restart_lsn).",
    labelled((s) => s.retainedBytes),
  );
  family(
    registry,
    "clusterdeck_postgres_slot_safe_wal_size_bytes",
    "gauge",
    "Per slot: WAL that can still be written before it is over its limit.",
    labelled((s) => s.safeWalSize),
  );
  family(
    registry,
    "clusterdeck_postgres_slot_over_limit",
    "gauge",
    "Per slot: 1 when wal_status is unreserved or lost (its replica loses, or lost, WAL it needs).",
    labelled((s) => (s.walStatus === "unreserved" || s.walStatus === "lost" ? 1 : 0)),
  );
  const a = p.archiver;
  if (!a) return;
  family(registry, "clusterdeck_postgres_archive_enabled", "gauge", "1 when archive_mode is on or always.", a.mode === "off" ? 0 : 1);
  family(registry, "clusterdeck_postgres_archived_total", "counter", "WAL files archived (pg_stat_archiver.archived_count).", a.archivedCount);
  family(registry, "clusterdeck_postgres_archive_failed_total", "counter", "Failed archive attempts (pg_stat_archiver.failed_count).", a.failedCount);
  family(registry, "clusterdeck_postgres_archive_failing", "gauge", "1 while the last archive attempt failed.", a.failing ? 1 : 0);
  const lastArchived = a.lastArchivedAt ? Date.parse(a.lastArchivedAt) / 1000 : null;
  if (lastArchived !== null)
    family(registry, "clusterdeck_postgres_last_archived_timestamp_seconds", "gauge", "When a WAL file was last archived.", lastArchived);
}
