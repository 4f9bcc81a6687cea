// Protects: wall displays are read-only by construction and revocable.
// - A display's link works once, within 15 minutes, and nothing before it is
//   opened counts as a session (a forged cookie for an unclaimed display is
//   refused).
// - The display's cookie is a VIEWER whatever its owner's role, and every
//   change is refused to it, on every route (authenticated, admin-only,
//   public): through the real route handlers.
// - It has no idle timeout but its own expiry; an admin ends it at once, and
//   it ends with its owner's access (disabled, role changed).
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor, type Actor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";
import { resetEnvCache } from "@/lib/env";

setupTestDatabase();

const origin = "http://127.0.0.1:3998";
const request = { clientIp: "10.1.2.3", userAgent: "WallBrowser/1.0", requestId: "display-test" };

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET ??= "s".repeat(40);
  process.env.NEXTAUTH_URL = origin;
  resetEnvCache();
});

let n = 0;
async function admin() {
  const { createUser } = await import("@/lib/users/service");
  const boot: AuditContext = { actor: systemActor("test"), requestId: "display-test", clientIp: null };
  const user = await createUser({ email: `wall-owner-${++n}@test.dev`, name: "", role: "ADMIN", password: "a-long-password-1" }, boot);
  const actor: Actor = { type: "USER", id: user.id, userId: user.id, label: user.email, role: "ADMIN" };
  return { user, audit: { actor, requestId: "display-test", clientIp: "127.0.0.1" } satisfies AuditContext };
}

async function claimedDisplay(days = 30) {
  const { createDisplay, claimDisplay } = await import("@/lib/sessions/service");
  const { displaySessionCookie } = await import("@/lib/auth/display-cookie");
  const owner = await admin();
  const made = await createDisplay({ label: "NOC wall", days }, owner.audit);
  const claimed = await claimDisplay(made.code, request);
  if (!claimed) throw new Error("claim refused");
  const setCookie = await displaySessionCookie(claimed);
  return { owner, made, claimed, cookie: setCookie.split(";")[0]! };
}

describe("wall displays", () => {
  it("are claimed once, within the link's lifetime, and count for nothing before", async () => {
    const { createDisplay, claimDisplay, checkSession } = await import("@/lib/sessions/service");
    const { db } = await import("@/lib/db");
    const owner = await admin();
    const made = await createDisplay({ label: "Lobby", days: 7 }, owner.audit);
    expect(made.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db.session.findUniqueOrThrow({ where: { id: made.id } });
    expect(row).toMatchObject({ kind: "DISPLAY", label: "Lobby", userId: owner.user.id, endedAt: null });
    expect(row.claimHash).not.toContain(made.code);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * 86_400_000);
    expect(await db.auditEntry.count({ where: { action: "session.display-create", targetId: owner.user.id } })).toBe(1);

    // Unclaimed: a cookie naming it (forged with the secret) is worth nothing.
    expect(await checkSession(made.id, owner.user.id)).toEqual({ ok: false, reason: null });

    expect(await claimDisplay("B".repeat(43), request)).toBeNull();
    const claimed = await claimDisplay(made.code, request);
    expect(claimed).toMatchObject({ sessionId: made.id, userId: owner.user.id, label: "Lobby" });
    expect(await claimDisplay(made.code, request)).toBeNull();
    expect(await db.session.findUniqueOrThrow({ where: { id: made.id } })).toMatchObject({
      claimHash: null,
      clientIp: "10.1.2.3",
      userAgent: "WallBrowser/1.0",
    });
    expect(await checkSession(made.id, owner.user.id)).toMatchObject({ ok: true, display: { label: "Lobby" } });
    expect(await db.auditEntry.count({ where: { action: "session.display-claim", targetId: owner.user.id } })).toBe(1);

    const late = await createDisplay({ label: "Late", days: 7 }, owner.audit);
    await db.session.update({ where: { id: late.id }, data: { claimExpiresAt: new Date(Date.now() - 1000) } });
    expect(await claimDisplay(late.code, request)).toBeNull();
  });

  it("are VIEWERs refused every change, on every kind of route, whatever their owner may do", async () => {
    const { claimed, cookie } = await claimedDisplay();
    const { sessionFrom } = await import("@/lib/sign-in/session");
    const lookup = await sessionFrom(new Headers({ cookie }));
    expect(lookup.actor).toMatchObject({
      role: "VIEWER",
      display: true,
      sessionId: claimed.sessionId,
      label: 'wall display "NOC wall" (wall-owner-' + n + "@test.dev)",
    });

    const headers = { cookie, origin, host: "127.0.0.1:3998", "content-type": "application/json" };
    const { GET: me } = await import("@/app/api/v1/me/route");
    const read = await me(new Request(`${origin}/api/v1/me`, { headers }));
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ role: "VIEWER" });

    const { POST: activity } = await import("@/app/api/v1/session/activity/route");
    const { POST: newToken } = await import("@/app/api/v1/tokens/route");
    const { POST: newDisplay } = await import("@/app/api/v1/displays/route");
    const { POST: claim } = await import("@/app/api/v1/displays/claim/route");
    const { DELETE: endSession } = await import("@/app/api/v1/sessions/[id]/route");
    const post = (path: string, body?: unknown) =>
      new Request(`${origin}${path}`, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const refused = [
      await activity(post("/api/v1/session/activity")),
      await newToken(post("/api/v1/tokens", { name: "from-the-wall", role: "ADMIN", expiresInDays: 1 })),
      await newDisplay(post("/api/v1/displays", { label: "another", days: 1 })),
      await claim(post("/api/v1/displays/claim", { code: "C".repeat(43) })),
      await endSession(new Request(`${origin}/api/v1/sessions/${claimed.sessionId}`, { method: "DELETE", headers }), {
        params: Promise.resolve({ id: claimed.sessionId }),
      }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    expect(((await refused[0]!.json()) as { detail: string }).detail).toContain("read-only");
  });

  it("have no idle timeout, but their own expiry", async () => {
    const { claimed, cookie } = await claimedDisplay(1);
    const { sessionFrom } = await import("@/lib/sign-in/session");
    const { db } = await import("@/lib/db");
    await db.session.update({ where: { id: claimed.sessionId }, data: { lastActivityAt: new Date(Date.now() - 20 * 3600_000) } });
    expect((await sessionFrom(new Headers({ cookie }))).actor).toMatchObject({ display: true });
    await db.session.update({ where: { id: claimed.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sessionFrom(new Headers({ cookie }))).toEqual({ actor: null, ended: "EXPIRED" });
  });

  it("end at once when an admin ends them, or with their owner's access", async () => {
    const { revokeSession, listOpenSessions } = await import("@/lib/sessions/service");
    const { updateUser } = await import("@/lib/users/service");
    const { sessionFrom } = await import("@/lib/sign-in/session");
    const { db } = await import("@/lib/db");

    const revoked = await claimedDisplay();
    expect((await listOpenSessions()).map((s) => s.id)).toContain(revoked.claimed.sessionId);
    const other = await admin();
    await revokeSession(revoked.claimed.sessionId, other.audit);
    expect(await sessionFrom(new Headers({ cookie: revoked.cookie }))).toEqual({ actor: null, ended: "REVOKED" });
    expect((await listOpenSessions()).map((s) => s.id)).not.toContain(revoked.claimed.sessionId);
    await expect(revokeSession(revoked.claimed.sessionId, other.audit)).rejects.toMatchObject({ code: "not_found" });
    expect(await db.auditEntry.findFirst({ where: { action: "auth.session-end", actorId: other.user.id } })).toMatchObject({ summary: { reason: "REVOKED" } });

    const disabled = await claimedDisplay();
    await updateUser(disabled.owner.user.id, { disabled: true }, other.audit);
    expect(await sessionFrom(new Headers({ cookie: disabled.cookie }))).toEqual({ actor: null, ended: "DISABLED" });

    const demoted = await claimedDisplay();
    await updateUser(demoted.owner.user.id, { role: "OPERATOR" }, other.audit);
    expect(await sessionFrom(new Headers({ cookie: demoted.cookie }))).toEqual({ actor: null, ended: "ROLE_CHANGE" });
  });
});
