// The console's physical replication slots on a primary (one per replica
// member, named clusterdeck_<member id>): a replica that falls behind or dies
// keeps its WAL on the primary instead of needing a rebuild, up to
// max_slot_wal_keep_size, which is set when it is unlimited so a dead replica
// cannot fill the primary's disk. Slots the console did not make are never touched.
import { CONSOLE_SLOT_PREFIX } from "@/lib/agent-protocol/postgres-slots";
import { ActionError } from "./types";

type Query = <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>;

export async function keepSlots(q: Query, endpoint: string, keep: string[], maxWalKeepMb: number) {
  const [state] = await q<{ rec: boolean; limit: string }>("SELECT pg_is_in_recovery() AS rec, current_setting('max_slot_wal_keep_size') AS limit");
  if (state!.rec) throw new ActionError(409, `${endpoint} is a replica: the console keeps slots on the primary`);
  let limit = state!.limit;
  if (limit === "-1") {
    // maxWalKeepMb is a validated integer: no quoting question.
    await q(`ALTER SYSTEM SET max_slot_wal_keep_size = '${maxWalKeepMb}MB'`);
    await q("SELECT pg_reload_conf()");
    limit = `${maxWalKeepMb}MB (was unlimited)`;
  }
  const existing = await q<{ slot_name: string; active: boolean; wal_status: string | null }>(
    "SELECT slot_name, active, wal_status FROM pg_replication_slots WHERE slot_type = 'physical' AND starts_with(slot_name, $1)",
    [CONSOLE_SLOT_PREFIX],
  );
  const have = new Set(existing.map((s) => s.slot_name));
  const created: string[] = [];
  const renewed: string[] = [];
  for (const s of existing) {
    // Invalidated (over max_slot_wal_keep_size): no replica can stream through it again. Made anew below.
    if (keep.includes(s.slot_name) && !s.active && s.wal_status === "lost") {
      await q("SELECT pg_drop_replication_slot($1)", [s.slot_name]);
      have.delete(s.slot_name);
      renewed.push(s.slot_name);
    }
  }
  for (const name of new Set(keep)) {
    if (have.has(name)) continue;
    // Reserve WAL from now on: the replica finds what it needs once it connects.
    await q("SELECT pg_create_physical_replication_slot($1, true)", [name]);
    created.push(name);
  }
  const dropped: string[] = [];
  const busy: string[] = [];
  for (const s of existing) {
    if (keep.includes(s.slot_name)) continue;
    // In use: a member removed from the inventory may still stream; dropping it would only fail.
    if (s.active) busy.push(s.slot_name);
    else {
      await q("SELECT pg_drop_replication_slot($1)", [s.slot_name]);
      dropped.push(s.slot_name);
    }
  }
  return { created, renewed, dropped, busy, kept: keep.length, maxSlotWalKeepSize: limit };
}

/**
 * On a replica: the console's slots it still holds from a time it was the
 * primary. Idle on a standby, they would only hold its WAL back.
 */
export async function dropLeftoverSlots(q: Query): Promise<string[]> {
  const rows = await q<{ slot_name: string }>(
    "SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical' AND NOT active AND starts_with(slot_name, $1)",
    [CONSOLE_SLOT_PREFIX],
  );
  for (const r of rows) await q("SELECT pg_drop_replication_slot($1)", [r.slot_name]);
  return rows.map((r) => r.slot_name);
}
