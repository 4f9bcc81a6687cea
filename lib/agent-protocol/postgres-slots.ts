// The physical replication slots the console keeps on a primary, one per
// replica member: named after the member's inventory id, so the same name
// follows a member from primary to primary (slots are not carried over by a
// promotion) and a slot whose member is gone can be recognised and dropped.
import { z } from "zod";

export const CONSOLE_SLOT_PREFIX = "clusterdeck_";

/** A slot the console manages: only these are ever created or dropped by an agent. */
export const consoleSlotName = z.string().regex(/^clusterdeck_[a-z0-9_]{1,50}$/, "must be a console slot name (clusterdeck_…)");

/** The slot of one database member (inventory ids are lowercase letters and digits). */
export function slotNameFor(memberId: string): string {
  return `${CONSOLE_SLOT_PREFIX}${memberId.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
}

/** Default cap on the WAL a slot may hold back, set on a primary that has none, so a dead replica cannot fill its disk. */
export const DEFAULT_SLOT_WAL_LIMIT_MB = 1024;
