// The observed replication of each database member (replicationState, lagBytes,
// timeline in the inventory), derived from its agent's snapshots and written
// in one batch per recorder flush, only when something moved.
//
// How the state is derived:
// - a replica whose WAL receiver streams: STREAMING, or CATCHUP while it is
//   more than CATCHUP_LAG_BYTES or CATCHUP_LAG_SECONDS behind (the promotion
//   check's limit, lib/operations/databases.ts: a replica further behind is not
//   one to fail over to without thinking);
// - a replica whose receiver does not stream, or a server its agent cannot
//   reach (it is down, so it replicates nothing): STOPPED;
// - a primary: UNKNOWN (the pages show "—"); its standbys are in its snapshot;
// - an agent that does not answer (once the monitor calls it DOWN): UNKNOWN,
//   lag cleared. Keeping the last state would show STREAMING for a member
//   nobody can see; the timeline is kept, it does not go back.
// The writes are raw SQL that leaves "updatedAt" alone: the monitor's change
// probe (agentTargetsFingerprint) watches it, and a bump every second would
// make it reload every target every second.
import type { Db } from "@/lib/db/client";
import type { PostgresStatus, Snapshot } from "@/lib/agent-protocol/types";
import type { ReplicationState } from "@/lib/generated/prisma/enums";
import { publishChanged } from "@/lib/realtime/publish";

export const CATCHUP_LAG_BYTES = 16 * 1024 * 1024;
export const CATCHUP_LAG_SECONDS = 10;
/** Lag moves every second; a change smaller than this is written only when it has stood for LAG_REFRESH_MS. */
export const LAG_STEP_BYTES = 1024 * 1024;
export const LAG_REFRESH_MS = 10_000;
/**
 * Unchanged values are written again this often: an operation (promotion,
 * rebuild) also writes these columns, and what it wrote must not stand
 * against what is observed just because the observation did not move.
 */
export const RESYNC_MS = 30_000;

/** timeline null: keep what is stored (nothing new is known). */
export type ObservedReplication = { state: ReplicationState; lagBytes: number | null; timeline: number | null };

/** What a snapshot says; null snapshot = the agent does not answer. */
export function observedReplication(s: Snapshot | null): ObservedReplication {
  if (!s) return { state: "UNKNOWN", lagBytes: null, timeline: null };
  // A DOWN report's postgres section is a placeholder: the server did not answer.
  if (s.health === "DOWN" || !s.postgres) return { state: "STOPPED", lagBytes: null, timeline: null };
  const p = s.postgres;
  if (!p.inRecovery) return { state: "UNKNOWN", lagBytes: null, timeline: p.timeline };
  return { state: replicaState(p), lagBytes: p.lagBytes === null ? null : Math.round(p.lagBytes), timeline: p.timeline };
}

function replicaState(p: PostgresStatus): ReplicationState {
  if (p.walReceiverStatus !== "streaming") return "STOPPED";
  const behind = (p.lagBytes ?? 0) > CATCHUP_LAG_BYTES || (p.lagSeconds ?? 0) > CATCHUP_LAG_SECONDS;
  return behind ? "CATCHUP" : "STREAMING";
}

type Written = ObservedReplication & { at: number };

export function worthWriting(last: Written | undefined, next: ObservedReplication, now: number): boolean {
  if (!last || now - last.at >= RESYNC_MS) return true;
  if (last.state !== next.state || (next.timeline !== null && next.timeline !== last.timeline)) return true;
  if (last.lagBytes === next.lagBytes) return false;
  if (last.lagBytes === null || next.lagBytes === null || last.lagBytes === 0 || next.lagBytes === 0) return true;
  return Math.abs(last.lagBytes - next.lagBytes) >= LAG_STEP_BYTES || now - last.at >= LAG_REFRESH_MS;
}

export class ReplicationWriter {
  private written = new Map<string, Written>();
  private pending = new Map<string, ObservedReplication>();

  observe(id: string, next: ObservedReplication, now = Date.now()): void {
    if (worthWriting(this.written.get(id), next, now)) this.pending.set(id, next);
    else this.pending.delete(id);
  }

  /** Writes what moved since the last flush, for every member at once; pages are told when a state or timeline changed. */
  async flush(db: Db, now = Date.now()): Promise<void> {
    if (!this.pending.size) return;
    const batch = [...this.pending];
    this.pending.clear();
    const ids = batch.map(([id]) => id);
    const states = batch.map(([, o]) => o.state);
    const lags = batch.map(([, o]) => (o.lagBytes === null ? null : BigInt(o.lagBytes)));
    const timelines = batch.map(([, o]) => o.timeline);
    const rows = await db.$queryRaw<{ id: string; moved: boolean }[]>`
      UPDATE "DatabaseInstance" AS t
      SET "replicationState" = v.state::"ReplicationState", "lagBytes" = v.lag, "timeline" = coalesce(v.tli, t."timeline")
      FROM (
        SELECT v.*, (o."replicationState"::text IS DISTINCT FROM v.state OR (v.tli IS NOT NULL AND o."timeline" IS DISTINCT FROM v.tli)) AS moved
        FROM unnest(${ids}::text[], ${states}::text[], ${lags}::bigint[], ${timelines}::int[]) AS v(id, state, lag, tli)
        JOIN "DatabaseInstance" o ON o."id" = v.id
      ) AS v
      WHERE t."id" = v.id
      RETURNING t."id", v.moved`;
    for (const [id, o] of batch) this.written.set(id, { ...o, timeline: o.timeline ?? this.written.get(id)?.timeline ?? null, at: now });
    if (rows.some((r) => r.moved)) await publishChanged(db, "DATABASE");
  }

  /** A member no longer watched: forget it, so it is written afresh if it comes back. */
  forget(id: string): void {
    this.written.delete(id);
    this.pending.delete(id);
  }
}
