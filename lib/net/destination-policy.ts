// The admin's answer to "may the console connect to link-local and metadata
// addresses?" (Setting "linkLocalDestinations", off unless set), for the
// destination guard. Web and worker read it from the database and keep it
// for a few seconds, so a change reaches every process within that time;
// reading it never fails a call: an unreadable setting counts as "no".
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { STRICT_DESTINATIONS, type DestinationPolicy } from "@/lib/net/destination-guard";

export const LINK_LOCAL_SETTING = "linkLocalDestinations";
/** How long a process trusts what it read; also how long a change takes to reach the others. */
export const POLICY_TTL_MS = 5000;

export async function readDestinationPolicy(tx: Tx = db): Promise<DestinationPolicy> {
  const row = await tx.setting.findUnique({ where: { key: LINK_LOCAL_SETTING }, select: { value: true } });
  return { allowLinkLocal: (row?.value as { allowed?: unknown } | undefined)?.allowed === true };
}

let known: { policy: DestinationPolicy; at: number } | null = null;
let loading: Promise<DestinationPolicy> | null = null;

/** Past this, a call to an agent goes ahead under the strict policy rather than wait on a slow database. */
const READ_TIMEOUT_MS = 2000;

/**
 * The policy, read again once what this process knows is older than maxAgeMs
 * (default POLICY_TTL_MS; the monitor and the prober, which refresh every 5 s
 * anyway, pass 0); strict when the database cannot say (soon enough).
 */
export function destinationPolicy(maxAgeMs = POLICY_TTL_MS): Promise<DestinationPolicy> {
  if (known && Date.now() - known.at < maxAgeMs) return Promise.resolve(known.policy);
  loading ??= Promise.race([
    readDestinationPolicy(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("setting read timed out")), READ_TIMEOUT_MS).unref()),
  ])
    .then(
      (policy) => {
        known = { policy, at: Date.now() };
        return policy;
      },
      // Not cached: the next call asks again.
      () => STRICT_DESTINATIONS,
    )
    .finally(() => (loading = null));
  return loading;
}

/**
 * For code that cannot wait (a lookup inside a socket's connect): the last
 * policy read, strict before the first read, and a refresh started when it is
 * stale. Long-lived callers (the monitor, the prober) await destinationPolicy()
 * on each refresh, so what they read here is never older than that.
 */
export function currentDestinationPolicy(): DestinationPolicy {
  if (!known || Date.now() - known.at >= POLICY_TTL_MS) void destinationPolicy();
  return known?.policy ?? STRICT_DESTINATIONS;
}

/** Drops what this process remembers (after a change here, and in tests). */
export function forgetDestinationPolicy(): void {
  known = null;
}

export async function setLinkLocalDestinations(allowed: boolean, reason: string, audit: AuditContext) {
  const result = await db.$transaction(async (tx) => {
    const before = await readDestinationPolicy(tx);
    const value = { allowed };
    await tx.setting.upsert({ where: { key: LINK_LOCAL_SETTING }, create: { key: LINK_LOCAL_SETTING, value }, update: { value } });
    await recordAudit(tx, audit, {
      action: "settings.link-local-destinations",
      targetType: "CONFIG",
      reason,
      summary: { from: before.allowLinkLocal, to: allowed },
    });
    return { allowed };
  });
  forgetDestinationPolicy();
  return result;
}
