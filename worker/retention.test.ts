// Protects: 10 s samples become minute and hour rows once (never twice, even
// when run again), with averages, the worst health and the largest lag; old
// rows are deleted per resolution. Browser sessions are deleted 30 days after
// they ended or expired, never while they may still count.
import { expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { prune, pruneSessions, rollUp } from "@/worker/retention";

setupTestDatabase();

it("rolls up complete buckets once, keeps the worst health and the largest lag, and prunes by age", async () => {
  const { db } = await import("@/lib/db");
  const t0 = new Date("2026-11-20T10:00:00Z");
  const raw = (offsetS: number, health: "UP" | "DOWN", sessions: number, lag: number) => ({
    subjectType: "NODE" as const,
    subjectId: "node-a",
    at: new Date(t0.getTime() + offsetS * 1000),
    resolution: "RAW" as const,
    health,
    sessions,
    lagBytes: BigInt(lag),
  });
  await db.healthSample.createMany({
    data: [raw(0, "UP", 10, 5), raw(10, "DOWN", 20, 50), raw(20, "UP", 30, 7), raw(60, "UP", 40, 1), raw(130, "UP", 99, 1)],
  });
  // Now is 10:02:05: the minutes 10:00 and 10:01 are complete, 10:02 is not.
  const now = new Date("2026-11-20T10:02:05Z");
  expect(await rollUp(db, now)).toEqual({ MINUTE: 2, HOUR: 0 });
  const minutes = await db.healthSample.findMany({ where: { resolution: "MINUTE" }, orderBy: { at: "asc" } });
  expect(minutes.map((m) => [m.at.toISOString(), m.health, m.sessions, Number(m.lagBytes)])).toEqual([
    ["2026-11-20T10:00:00.000Z", "DOWN", 20, 50],
    ["2026-11-20T10:01:00.000Z", "UP", 40, 1],
  ]);
  expect(await rollUp(db, now)).toEqual({ MINUTE: 0, HOUR: 0 });

  // An hour later the 10:02 minute and the 10:00 hour are complete.
  expect(await rollUp(db, new Date("2026-11-20T11:00:30Z"))).toEqual({ MINUTE: 1, HOUR: 1 });
  const hour = await db.healthSample.findFirstOrThrow({ where: { resolution: "HOUR" } });
  expect([hour.at.toISOString(), hour.health, Number(hour.lagBytes)]).toEqual(["2026-11-20T10:00:00.000Z", "DOWN", 50]);

  // Three days on, the 10 s rows are gone; minute and hour rows stay.
  expect(await prune(db, new Date("2026-11-23T12:00:00Z"))).toBe(5);
  expect(await db.healthSample.count({ where: { resolution: "RAW" } })).toBe(0);
  expect(await db.healthSample.count()).toBe(4);
});

it("deletes browser sessions 30 days after they ended or expired, and only those", async () => {
  const { db } = await import("@/lib/db");
  const now = new Date("2026-11-23T12:00:00Z");
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const user = await db.user.create({ data: { email: "retention@test.dev", passwordHash: "x" } });
  const base = { userId: user.id, sessionVersion: 0 };
  await db.session.createMany({
    data: [
      { ...base, id: "open", createdAt: daysAgo(0.1), expiresAt: daysAgo(-0.4) },
      { ...base, id: "ended-recently", createdAt: daysAgo(5), expiresAt: daysAgo(4.5), endedAt: daysAgo(5), endReason: "SIGN_OUT" },
      { ...base, id: "ended-long-ago", createdAt: daysAgo(40), expiresAt: daysAgo(39.5), endedAt: daysAgo(40), endReason: "IDLE" },
      { ...base, id: "expired-long-ago", createdAt: daysAgo(32), expiresAt: daysAgo(31.5) },
      { ...base, id: "display-for-months", kind: "DISPLAY", createdAt: daysAgo(60), expiresAt: daysAgo(-30) },
    ],
  });
  expect(await pruneSessions(db, now)).toBe(2);
  expect((await db.session.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((s) => s.id)).toEqual([
    "display-for-months",
    "ended-recently",
    "open",
  ]);
});
