// Protects: a server-side session counts only while it is open, has seen user
// activity within the idle timeout and is within its absolute cap; each end
// is recorded once, with why and when, and audited. Only touchSession (user
// activity) moves the idle clock, never past an end. Role changes, disabling,
// password resets and single sign-on changes end the user's open sessions,
// each with its own reason, and a session opened under an older session
// version is refused even if its row was missed.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";
import { resetEnvCache } from "@/lib/env";

setupTestDatabase();

const audit: AuditContext = { actor: systemActor("test"), requestId: "sessions-test", clientIp: "127.0.0.1" };
const IDLE = 30 * 60_000;
const MAX_AGE = 12 * 3600_000;
const minutes = (n: number) => n * 60_000;

beforeAll(() => {
  delete process.env.CLUSTERDECK_SESSION_IDLE_TIMEOUT;
  delete process.env.CLUSTERDECK_SESSION_MAX_AGE;
  resetEnvCache();
});

let n = 0;
async function userWithSession(role: "ADMIN" | "OPERATOR" | "VIEWER" = "OPERATOR") {
  const { createUser } = await import("@/lib/users/service");
  const { createSession } = await import("@/lib/sessions/service");
  const { db } = await import("@/lib/db");
  const user = await createUser({ email: `s${++n}-${Date.now()}@test.dev`, name: "", role, password: "a-long-password-1" }, audit);
  const sessionId = await createSession(db, { userId: user.id, sessionVersion: 0, clientIp: "10.0.0.9", userAgent: "Mozilla/5.0 test" });
  return { user, sessionId };
}

async function row(id: string) {
  const { db } = await import("@/lib/db");
  return db.session.findUniqueOrThrow({ where: { id } });
}

async function ends(id: string) {
  const { db } = await import("@/lib/db");
  return db.auditEntry.findMany({ where: { action: "auth.session-end", summary: { path: ["session"], equals: id } } });
}

describe("server-side sessions", () => {
  it("open with the absolute cap, the address and the browser, and count for their user only", async () => {
    const { checkSession } = await import("@/lib/sessions/service");
    const { user, sessionId } = await userWithSession();
    expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
    const r = await row(sessionId);
    expect(r).toMatchObject({ userId: user.id, clientIp: "10.0.0.9", userAgent: "Mozilla/5.0 test", endedAt: null });
    expect(r.expiresAt.getTime() - r.createdAt.getTime()).toBe(MAX_AGE);
    expect(await checkSession(sessionId, user.id)).toMatchObject({ ok: true, user: { id: user.id, role: "OPERATOR" }, sessionId });

    const other = await userWithSession();
    expect(await checkSession(sessionId, other.user.id)).toEqual({ ok: false, reason: null });
    expect(await checkSession("0".repeat(32), user.id)).toEqual({ ok: false, reason: null });
    for (const bad of [undefined, null, "", 42, {}]) expect(await checkSession(bad, user.id)).toEqual({ ok: false, reason: null });
  });

  it("end after the idle timeout, recorded once, at the moment it went idle", async () => {
    const { checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const { user, sessionId } = await userWithSession();
    const last = new Date(Date.now() - IDLE + 5_000);
    await db.session.update({ where: { id: sessionId }, data: { lastActivityAt: last } });
    expect((await checkSession(sessionId, user.id)).ok).toBe(true);

    const now = new Date(last.getTime() + IDLE);
    expect(await checkSession(sessionId, user.id, now)).toEqual({ ok: false, reason: "IDLE" });
    expect(await row(sessionId)).toMatchObject({ endReason: "IDLE", endedAt: new Date(last.getTime() + IDLE) });
    // Checked again (another tab, the stream): same answer, no second record.
    expect(await checkSession(sessionId, user.id)).toEqual({ ok: false, reason: "IDLE" });
    const recorded = await ends(sessionId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ targetType: "USER", targetId: user.id, actorType: "SYSTEM", summary: { reason: "IDLE", email: user.email } });
  });

  it("end at the absolute cap however active they are, and name whichever limit came first", async () => {
    const { checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const busy = await userWithSession();
    await db.session.update({ where: { id: busy.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await checkSession(busy.sessionId, busy.user.id)).toEqual({ ok: false, reason: "EXPIRED" });

    // Idle at 10:30, capped at 10:40: it ended idle.
    const both = await userWithSession();
    const capAt = new Date(Date.now() - minutes(10));
    await db.session.update({ where: { id: both.sessionId }, data: { expiresAt: capAt, lastActivityAt: new Date(capAt.getTime() - IDLE - minutes(10)) } });
    expect(await checkSession(both.sessionId, both.user.id)).toEqual({ ok: false, reason: "IDLE" });
  });

  it("move the idle clock only through touchSession, which never revives an idle, expired or ended session", async () => {
    const { checkSession, touchSession, endSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const { user, sessionId } = await userWithSession();
    const old = new Date(Date.now() - minutes(20));
    await db.session.update({ where: { id: sessionId }, data: { lastActivityAt: old } });
    // Reading is not activity.
    for (let i = 0; i < 3; i++) await checkSession(sessionId, user.id);
    expect((await row(sessionId)).lastActivityAt).toEqual(old);
    await touchSession(sessionId);
    const touched = (await row(sessionId)).lastActivityAt;
    expect(Date.now() - touched.getTime()).toBeLessThan(5_000);
    // Bounded: a burst writes once.
    await touchSession(sessionId, new Date(touched.getTime() + 1000));
    expect((await row(sessionId)).lastActivityAt).toEqual(touched);

    const idle = await userWithSession();
    const idleSince = new Date(Date.now() - IDLE - 1000);
    await db.session.update({ where: { id: idle.sessionId }, data: { lastActivityAt: idleSince } });
    await touchSession(idle.sessionId);
    expect((await row(idle.sessionId)).lastActivityAt).toEqual(idleSince);
    expect(await checkSession(idle.sessionId, idle.user.id)).toEqual({ ok: false, reason: "IDLE" });

    const expired = await userWithSession();
    await db.session.update({ where: { id: expired.sessionId }, data: { expiresAt: new Date(Date.now() - 1000), lastActivityAt: old } });
    await touchSession(expired.sessionId);
    expect((await row(expired.sessionId)).lastActivityAt).toEqual(old);

    const ended = await userWithSession();
    await db.session.update({ where: { id: ended.sessionId }, data: { lastActivityAt: old } });
    expect(await endSession(ended.sessionId, "SIGN_OUT", audit)).toBe(true);
    expect(await endSession(ended.sessionId, "SIGN_OUT", audit)).toBe(false);
    await touchSession(ended.sessionId);
    expect(await row(ended.sessionId)).toMatchObject({ lastActivityAt: old, endReason: "SIGN_OUT" });
    expect(await checkSession(ended.sessionId, ended.user.id)).toEqual({ ok: false, reason: "SIGN_OUT" });
    expect(await ends(ended.sessionId)).toHaveLength(1);
  });

  it("end for a role change, a disable and a password reset, each saying so in the row and the audit entry", async () => {
    const { updateUser, resetPassword } = await import("@/lib/users/service");
    const { checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const { createSession } = await import("@/lib/sessions/service");

    const a = await userWithSession();
    await updateUser(a.user.id, { name: "renamed" }, audit);
    expect((await checkSession(a.sessionId, a.user.id)).ok).toBe(true);
    await updateUser(a.user.id, { role: "VIEWER" }, audit);
    expect(await row(a.sessionId)).toMatchObject({ endReason: "ROLE_CHANGE" });
    expect(await checkSession(a.sessionId, a.user.id)).toEqual({ ok: false, reason: "ROLE_CHANGE" });
    const update = await db.auditEntry.findFirstOrThrow({ where: { action: "user.update", targetId: a.user.id }, orderBy: { id: "desc" } });
    expect(update.summary).toMatchObject({ sessionsEnded: 1 });

    // A new session under the new version, then disabled.
    const again = await createSession(db, { userId: a.user.id, sessionVersion: 1, clientIp: null, userAgent: null });
    expect((await checkSession(again, a.user.id)).ok).toBe(true);
    await updateUser(a.user.id, { disabled: true }, audit);
    expect(await checkSession(again, a.user.id)).toEqual({ ok: false, reason: "DISABLED" });

    const b = await userWithSession();
    await resetPassword(b.user.id, "another-long-password", audit);
    expect(await checkSession(b.sessionId, b.user.id)).toEqual({ ok: false, reason: "PASSWORD_RESET" });
  });

  it("refuse a session opened under an older session version, even if its row was missed", async () => {
    const { checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const { user, sessionId } = await userWithSession();
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await checkSession(sessionId, user.id)).toEqual({ ok: false, reason: "REVOKED" });
    expect(await row(sessionId)).toMatchObject({ endReason: "REVOKED" });
  });

  it("refuse a disabled user's session even if its row was missed", async () => {
    const { checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const { user, sessionId } = await userWithSession();
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await checkSession(sessionId, user.id)).toEqual({ ok: false, reason: "DISABLED" });
  });

  it("follow the configured limits", async () => {
    process.env.CLUSTERDECK_SESSION_IDLE_TIMEOUT = "120";
    process.env.CLUSTERDECK_SESSION_MAX_AGE = "3600";
    resetEnvCache();
    try {
      const { checkSession, sessionState } = await import("@/lib/sessions/service");
      const { db } = await import("@/lib/db");
      const { user, sessionId } = await userWithSession();
      const r = await row(sessionId);
      expect(r.expiresAt.getTime() - r.createdAt.getTime()).toBe(3600_000);
      const actor = { type: "USER" as const, id: user.id, userId: user.id, label: user.email, role: user.role, sessionId };
      expect(await sessionState(actor)).toMatchObject({ idleTimeoutSeconds: 120, idleSecondsLeft: expect.any(Number), secondsLeft: expect.any(Number) });
      const state = (await sessionState(actor))!;
      expect(state.idleSecondsLeft).toBeGreaterThan(110);
      expect(state.idleSecondsLeft).toBeLessThanOrEqual(120);
      await db.session.update({ where: { id: sessionId }, data: { lastActivityAt: new Date(Date.now() - 121_000) } });
      expect(await checkSession(sessionId, user.id)).toEqual({ ok: false, reason: "IDLE" });
      expect(await sessionState(actor)).toBeNull();
    } finally {
      delete process.env.CLUSTERDECK_SESSION_IDLE_TIMEOUT;
      delete process.env.CLUSTERDECK_SESSION_MAX_AGE;
      resetEnvCache();
    }
  });
});
