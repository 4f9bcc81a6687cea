// Failed sign-ins are counted per email and per client address in the
// database, so every web instance sees the same count. After a few failures
// the key is locked, for longer each time, up to a cap. An address gets more
// tries than an email: many people may share one (a NAT, a jump host), and
// locking it would let one guesser lock them all out.
import type { Db } from "@/lib/db/client";

const FREE_FAILURES = { email: 5, ip: 20 } as const;
const WINDOW_MS = 15 * 60_000;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

export function throttleKeys(email: string, clientIp: string | null): string[] {
  const keys = [`email:${email.toLowerCase()}`];
  if (clientIp) keys.push(`ip:${clientIp}`);
  return keys;
}

/** Milliseconds until the earliest of these keys may try again; 0 when none is locked. */
export async function lockedFor(db: Db, keys: string[], now = new Date()): Promise<number> {
  const rows = await db.loginThrottle.findMany({ where: { key: { in: keys } } });
  let wait = 0;
  for (const row of rows) {
    if (row.lockedUntil && row.lockedUntil > now) wait = Math.max(wait, row.lockedUntil.getTime() - now.getTime());
  }
  return wait;
}

export async function recordFailure(db: Db, keys: string[], now = new Date()): Promise<void> {
  for (const key of keys) {
    await db.$transaction(async (tx) => {
      // Lock the row so two concurrent failures both count.
      await tx.$executeRaw`INSERT INTO "LoginThrottle" ("key", "failures", "windowStart") VALUES (${key}, 0, ${now}) ON CONFLICT ("key") DO NOTHING`;
      const [row] = await tx.$queryRaw<{ failures: number; windowStart: Date }[]>`
        SELECT "failures", "windowStart" FROM "LoginThrottle" WHERE "key" = ${key} FOR UPDATE`;
      const fresh = !row || now.getTime() - row.windowStart.getTime() > WINDOW_MS;
      const failures = fresh ? 1 : row.failures + 1;
      const over = failures - (key.startsWith("ip:") ? FREE_FAILURES.ip : FREE_FAILURES.email);
      const lockedUntil = over >= 0 ? new Date(now.getTime() + Math.min(BASE_LOCK_MS * 2 ** over, MAX_LOCK_MS)) : null;
      await tx.loginThrottle.update({
        where: { key },
        data: { failures, windowStart: fresh ? now : undefined, lockedUntil },
      });
    });
  }
}

export async function recordSuccess(db: Db, email: string): Promise<void> {
  // Only the email's counter is cleared: one good password must not unlock an address that is guessing others.
  await db.loginThrottle.deleteMany({ where: { key: `email:${email.toLowerCase()}` } });
}
