// Protects: repeated failed sign-ins lock the email (after 5) and the address
// (after 20), for longer each time; a success clears only that email's counter.
import { expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { lockedFor, recordFailure, recordSuccess, throttleKeys } from "@/lib/auth/throttle";

setupTestDatabase();

it("locks after five failures, longer after each further one, and a success unlocks the email only", async () => {
  const { db } = await import("@/lib/db");
  const keys = throttleKeys("Someone@Example.com", "192.0.2.7");
  expect(keys).toEqual(["email:someone@example.com", "ip:192.0.2.7"]);
  const t0 = new Date("2026-01-01T00:00:00Z");
  for (let i = 0; i < 4; i++) await recordFailure(db, keys, t0);
  expect(await lockedFor(db, keys, t0)).toBe(0);
  await recordFailure(db, keys, t0);
  expect(await lockedFor(db, keys, t0)).toBe(30_000);
  await recordFailure(db, keys, t0);
  expect(await lockedFor(db, keys, t0)).toBe(60_000);

  // Concurrent failures all count.
  await Promise.all(Array.from({ length: 4 }, () => recordFailure(db, keys, t0)));
  expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: keys[0]! } })).failures).toBe(10);

  // The address has had 10 failures: not yet locked (it gets 20).
  expect(await lockedFor(db, [keys[1]!], t0)).toBe(0);
  await recordSuccess(db, "someone@example.com");
  expect(await lockedFor(db, [keys[0]!], t0)).toBe(0);
  for (let i = 0; i < 10; i++) await recordFailure(db, [keys[1]!], t0);
  expect(await lockedFor(db, [keys[1]!], t0)).toBe(30_000);
});

it("forgets old failures after the window", async () => {
  const { db } = await import("@/lib/db");
  const keys = throttleKeys("window@example.com", null);
  const t0 = new Date("2026-01-01T00:00:00Z");
  for (let i = 0; i < 4; i++) await recordFailure(db, keys, t0);
  const later = new Date(t0.getTime() + 16 * 60_000);
  await recordFailure(db, keys, later);
  expect(await lockedFor(db, keys, later)).toBe(0);
  expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: keys[0]! } })).failures).toBe(1);
});
