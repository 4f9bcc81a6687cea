// synchronous_standby_names, rendered by the console per member and role: the
// primary names the current replicas, a replica gets '' (it would ignore the
// value, but keeps it when promoted: a new primary naming itself or a member
// that no longer follows it would hang every commit).
import { z } from "zod";

/** UNMANAGED: the console neither sets nor clears the value (an operator may have set it by hand). */
export type SyncMode = "UNMANAGED" | "ASYNC" | "SYNC" | "QUORUM";
export type ManagedSyncMode = Exclude<SyncMode, "UNMANAGED">;

/** The application_name a member streams under: its inventory name, as far as libpq's rules allow. */
export const applicationNameFor = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63) || "replica";

/** A standby as PostgreSQL compares it (application_name, quoted so case and '-' survive). */
const standby = /"[A-Za-z0-9_.-]{1,63}"/.source;

/** The only values an agent sets: '' or FIRST/ANY n over quoted application names. */
export const syncStandbyNames = z
  .string()
  .max(8000)
  .regex(new RegExp(`^(|(FIRST|ANY) [1-9][0-9]{0,2} \\(${standby}(, ${standby}){0,99}\\))$`), '\'\' or FIRST n ("name", …) or ANY n ("name", …)');

/**
 * The primary's value. SYNC: the first replica that streams is the one
 * standby a commit waits for (FIRST 1, the others standing by in name order);
 * QUORUM: any `quorum` of them. No replica, or async: ''.
 */
export function renderSyncStandbyNames(mode: ManagedSyncMode, quorum: number, applicationNames: string[]): string {
  const names = [...new Set(applicationNames)].sort();
  if (mode === "ASYNC" || names.length === 0) return "";
  const list = names.map((n) => `"${n}"`).join(", ");
  return mode === "SYNC" ? `FIRST 1 (${list})` : `ANY ${quorum} (${list})`;
}

/** How many named standbys a commit waits for under this value (0: none). */
export function standbysRequired(value: string): number {
  const m = /^(FIRST|ANY) (\d+) /.exec(value);
  return m ? Number(m[2]) : 0;
}
