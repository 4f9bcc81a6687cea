// Protects: a single sign-on account is its (issuer, subject), created on
// first sign-in and refreshed after; its role follows its groups and a
// change ends older sessions; no mapped group, a disabled account, or an
// email another account holds is refused and audited; a local account is
// never taken over; an SSO account gets no password, by API or sign-in.
import { describe, expect, it, vi } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";
import type { SsoIdentity } from "@/lib/users/sso";

setupTestDatabase();

const request = { requestId: "sso-test", clientIp: "127.0.0.1" };
const audit: AuditContext = { actor: systemActor("test"), ...request };
const issuer = "https://idp.test";
const identity = (over: Partial<SsoIdentity> = {}): SsoIdentity => ({
  issuer,
  subject: "sub-1",
  email: "Alice@Example.test",
  name: "Alice",
  groups: ["ops"],
  role: "OPERATOR",
  ...over,
});

async function lastSignIn() {
  const { db } = await import("@/lib/db");
  return db.auditEntry.findFirstOrThrow({ where: { action: "auth.sign-in" }, orderBy: { id: "desc" } });
}

describe("single sign-on accounts", () => {
  it("are created on first sign-in and refreshed, by subject, on the next", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { db } = await import("@/lib/db");
    const first = await signInWithSso(identity(), request);
    expect(first).toMatchObject({ ok: true, user: { email: "alice@example.test", name: "Alice", role: "OPERATOR", authSource: "OIDC", sessionVersion: 0 } });
    if (!first.ok) throw new Error("refused");
    const row = await db.user.findUniqueOrThrow({ where: { id: first.user.id }, omit: { passwordHash: false } });
    expect(row).toMatchObject({ oidcIssuer: issuer, oidcSubject: "sub-1", passwordHash: null });
    expect((await lastSignIn()).outcome).toBe("SUCCESS");

    // Same subject, new email and name: same account, updated; same role: sessions live on.
    const second = await signInWithSso(identity({ email: "alice.new@example.test", name: "Alice N." }), request);
    expect(second).toMatchObject({ ok: true, user: { id: first.user.id, email: "alice.new@example.test", name: "Alice N.", sessionVersion: 0 } });

    // Another issuer with the same subject is another person.
    const other = await signInWithSso(identity({ issuer: "https://other-idp.test", email: "alice@other.test" }), request);
    expect(other.ok && other.user.id).not.toBe(first.user.id);
  });

  it("take the role from current groups, and a change ends older sessions", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { db } = await import("@/lib/db");
    const up = await signInWithSso(identity({ subject: "sub-2", email: "bob@example.test", role: "VIEWER" }), request);
    if (!up.ok) throw new Error("refused");
    const promoted = await signInWithSso(identity({ subject: "sub-2", email: "bob@example.test", groups: ["admins"], role: "ADMIN" }), request);
    expect(promoted).toMatchObject({ ok: true, user: { role: "ADMIN", sessionVersion: 1 } });
    const update = await db.auditEntry.findFirstOrThrow({ where: { action: "user.update", targetId: up.user.id } });
    expect(update.summary).toMatchObject({ changes: { role: { from: "VIEWER", to: "ADMIN" } }, source: "OIDC" });

    // Out of every mapped group: refused, and the sessions it had end too.
    const dropped = await signInWithSso(identity({ subject: "sub-2", email: "bob@example.test", groups: ["interns"], role: null }), request);
    expect(dropped).toEqual({ ok: false, denial: "SsoNoRole" });
    const after = await db.user.findUniqueOrThrow({ where: { id: up.user.id } });
    expect(after).toMatchObject({ role: "ADMIN", sessionVersion: 2 });
    expect(await lastSignIn()).toMatchObject({ outcome: "DENIED", targetId: up.user.id, summary: { reason: "no group maps to a role", groups: ["interns"] } });
  });

  it("refuse a new identity with no mapped group, creating nothing", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { db } = await import("@/lib/db");
    const before = await db.user.count();
    expect(await signInWithSso(identity({ subject: "sub-3", email: "carol@example.test", groups: [], role: null }), request)).toEqual({
      ok: false,
      denial: "SsoNoRole",
    });
    expect(await db.user.count()).toBe(before);
    expect(await lastSignIn()).toMatchObject({ outcome: "DENIED", actorLabel: "carol@example.test", targetId: null });
  });

  it("never take over a local account with the same email", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { createUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const local = await createUser({ email: "dave@example.test", name: "", role: "VIEWER", password: "a-long-password-1" }, audit);
    const result = await signInWithSso(identity({ subject: "sub-4", email: "DAVE@example.test", groups: ["admins"], role: "ADMIN" }), request);
    expect(result).toEqual({ ok: false, denial: "SsoEmailTaken" });
    expect(await db.user.findUniqueOrThrow({ where: { id: local.id } })).toMatchObject({ authSource: "LOCAL", role: "VIEWER", oidcSubject: null });
    expect(await lastSignIn()).toMatchObject({ outcome: "DENIED", summary: { reason: "email belongs to a local account" } });

    // Nor move an SSO account onto an email another account holds.
    const eve = await signInWithSso(identity({ subject: "sub-5", email: "eve@example.test" }), request);
    expect(eve.ok).toBe(true);
    expect(await signInWithSso(identity({ subject: "sub-5", email: "dave@example.test" }), request)).toEqual({ ok: false, denial: "SsoEmailTaken" });
  });

  it("refuse a disabled account and an identity without a usable email", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { updateUser } = await import("@/lib/users/service");
    const frank = await signInWithSso(identity({ subject: "sub-6", email: "frank@example.test" }), request);
    if (!frank.ok) throw new Error("refused");
    await updateUser(frank.user.id, { disabled: true }, audit);
    expect(await signInWithSso(identity({ subject: "sub-6", email: "frank@example.test" }), request)).toEqual({ ok: false, denial: "SsoDisabled" });
    expect(await lastSignIn()).toMatchObject({ outcome: "DENIED", summary: { reason: "disabled" } });
    for (const email of [undefined, "", "not-an-email", ["a@b.test"]]) {
      expect(await signInWithSso(identity({ subject: "sub-7", email }), request)).toEqual({ ok: false, denial: "SsoNoEmail" });
    }
  });

  it("get no password and no role from the console, and cannot sign in with a password", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { resetPassword, updateUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const gina = await signInWithSso(identity({ subject: "sub-8", email: "gina@example.test" }), request);
    if (!gina.ok) throw new Error("refused");
    await expect(resetPassword(gina.user.id, "a-long-password-1", audit)).rejects.toMatchObject({ code: "conflict" });
    await expect(updateUser(gina.user.id, { role: "ADMIN" }, audit)).rejects.toMatchObject({ code: "conflict" });
    expect(await updateUser(gina.user.id, { name: "Gina" }, audit)).toMatchObject({ name: "Gina", role: "OPERATOR" });
    expect((await db.user.findUniqueOrThrow({ where: { id: gina.user.id }, omit: { passwordHash: false } })).passwordHash).toBeNull();

    // The database itself refuses a password on an SSO account, and a local account without one.
    await expect(db.user.update({ where: { id: gina.user.id }, data: { passwordHash: "scrypt$x" } })).rejects.toThrow(/User_auth_source_check/);
    await expect(db.user.create({ data: { email: "nopass@example.test", passwordHash: null } })).rejects.toThrow(/User_auth_source_check/);

    vi.stubEnv("CLUSTERDECK_SECRET", "x".repeat(40));
    (await import("@/lib/env")).resetEnvCache();
    const { authOptions } = await import("@/lib/sign-in/options");
    const credentials = authOptions().providers.find((p) => p.id === "credentials") as unknown as {
      options: { authorize: (c: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown> };
    };
    expect(await credentials.options.authorize({ email: "gina@example.test", password: "anything-at-all" }, { headers: {} })).toBeNull();
    expect(await lastSignIn()).toMatchObject({ outcome: "DENIED", summary: { reason: "no password (single sign-on account)" } });
  });

  it("open a server-side session with each sign-in, which a role change at the provider or losing every group ends", async () => {
    const { signInWithSso } = await import("@/lib/users/sso");
    const { db } = await import("@/lib/db");
    const who = { subject: "sub-sessions", email: "dana@example.test" };
    const first = await signInWithSso(identity({ ...who, role: "VIEWER" }), { ...request, userAgent: "Firefox/140" });
    if (!first.ok) throw new Error("refused");
    expect(await db.session.findUniqueOrThrow({ where: { id: first.sessionId } })).toMatchObject({
      userId: first.user.id,
      endedAt: null,
      clientIp: "127.0.0.1",
      userAgent: "Firefox/140",
    });
    expect((await lastSignIn()).summary).toMatchObject({ session: first.sessionId });

    // Same role again: the first session lives on beside the second.
    const second = await signInWithSso(identity({ ...who, role: "VIEWER" }), request);
    if (!second.ok) throw new Error("refused");
    expect((await db.session.findUniqueOrThrow({ where: { id: first.sessionId } })).endedAt).toBeNull();

    const promoted = await signInWithSso(identity({ ...who, role: "OPERATOR" }), request);
    if (!promoted.ok) throw new Error("refused");
    for (const id of [first.sessionId, second.sessionId])
      expect(await db.session.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "ROLE_CHANGE" });
    expect((await db.session.findUniqueOrThrow({ where: { id: promoted.sessionId } })).endedAt).toBeNull();

    await signInWithSso(identity({ ...who, groups: [], role: null }), request);
    expect(await db.session.findUniqueOrThrow({ where: { id: promoted.sessionId } })).toMatchObject({ endReason: "ACCESS_REVOKED" });
  });
});
