// Protects, through next-auth's real request handler with the console's
// options (what app/api/auth/[...nextauth] runs):
// - signing out ends the session on the server, not just in the browser. A
//   copy of the cookie taken before sign-out (a stolen cookie, a second tab,
//   a proxy log) stops working at once: refused by every page and API route
//   (sessionActorFrom), and next-auth's own /api/auth/session answers "no
//   session" and drops the cookie instead of renewing it for another
//   lifetime, as it did;
// - the same for a session that went idle or reached its absolute cap;
// - next-auth's redirect after sign-in and sign-out stays on the console,
//   whatever callbackUrl it was given.
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";

setupTestDatabase();

// next-auth's core is not in its package exports; the route handler calls exactly this.
type AuthHandlerFn = (params: { req: Request; options: unknown }) => Promise<unknown>;
const { AuthHandler } = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/index.js")) as { AuthHandler: AuthHandlerFn };

const origin = "http://127.0.0.1:3999";
const cookieName = "next-auth.session-token";
type Cookie = { name: string; value: string; options?: { expires?: Date | string; maxAge?: number } };
type Answer = { status?: number; body?: unknown; cookies?: Cookie[]; redirect?: string };

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET ??= "s".repeat(40);
  process.env.NEXTAUTH_URL = origin;
  resetEnvCache();
});

async function authOptions() {
  return (await import("@/lib/sign-in/options")).authOptions();
}

/** One request to next-auth, as the route handler would pass it. */
async function nextAuth(action: string, init: { method?: string; cookies?: Record<string, string>; body?: Record<string, string> } = {}): Promise<Answer> {
  const cookie = Object.entries(init.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  const req = new Request(`${origin}/api/auth/${action}`, {
    method: init.method ?? "GET",
    headers: { host: "127.0.0.1:3999", cookie, "user-agent": "vitest-browser/1.0", ...(init.body ? { "content-type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return (await AuthHandler({ req, options: await authOptions() })) as Answer;
}

function jar(answer: Answer, into: Record<string, string> = {}) {
  for (const c of answer.cookies ?? []) into[c.name] = c.value;
  return into;
}

async function signIn(email: string, password: string): Promise<Record<string, string>> {
  const csrf = await nextAuth("csrf");
  const cookies = jar(csrf);
  const { csrfToken } = csrf.body as { csrfToken: string };
  const answer = await nextAuth("callback/credentials", { method: "POST", cookies, body: { email, password, csrfToken, json: "true" } });
  jar(answer, cookies);
  expect(cookies[cookieName], `signed in as ${email}: ${answer.redirect}`).toBeTruthy();
  return cookies;
}

const asHeaders = (cookies: Record<string, string>) =>
  new Headers({
    cookie: Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join("; "),
  });

describe("sign-out", () => {
  it("ends the session on the server: a copy of the cookie is refused, and /api/auth/session neither answers nor renews it", async () => {
    const { createUser } = await import("@/lib/users/service");
    const { sessionActorFrom } = await import("@/lib/sign-in/session");
    const audit = { actor: systemActor("test"), requestId: "sign-out-test", clientIp: null };
    await createUser({ email: "leaver@test.dev", name: "", role: "OPERATOR", password: "a-long-password-1" }, audit);

    const cookies = await signIn("leaver@test.dev", "a-long-password-1");
    const copy = { [cookieName]: cookies[cookieName]! };
    expect(await sessionActorFrom(asHeaders(copy))).toMatchObject({ label: "leaver@test.dev", role: "OPERATOR" });
    const before = await nextAuth("session", { cookies: copy });
    expect(before.body).toMatchObject({ user: { email: "leaver@test.dev" } });

    const { csrfToken } = (await nextAuth("csrf", { cookies })).body as { csrfToken: string };
    const out = await nextAuth("signout", { method: "POST", cookies, body: { csrfToken } });
    // The browser's cookie is cleared…
    expect(out.cookies?.find((c) => c.name === cookieName)?.value).toBe("");

    // …and the copy no longer counts anywhere.
    expect(await sessionActorFrom(asHeaders(copy))).toBeNull();
    const after = await nextAuth("session", { cookies: copy });
    expect(after.body).toEqual({});
    const reissued = after.cookies?.find((c) => c.name === cookieName);
    // No fresh token: either nothing, or the cookie cleared.
    if (reissued) expect(reissued.value).toBe("");
  });

  it("is audited, with the session it ended", async () => {
    const { db } = await import("@/lib/db");
    const entry = await db.auditEntry.findFirstOrThrow({ where: { action: "auth.session-end", actorLabel: "leaver@test.dev" } });
    expect(entry).toMatchObject({ actorType: "USER", targetType: "USER", summary: { reason: "SIGN_OUT" } });
    const signIn = await db.auditEntry.findFirstOrThrow({ where: { action: "auth.sign-in", actorLabel: "leaver@test.dev", outcome: "SUCCESS" } });
    expect((signIn.summary as { session?: string }).session).toBe((entry.summary as { session?: string }).session);
    const row = await db.session.findUniqueOrThrow({ where: { id: (entry.summary as { session: string }).session } });
    expect(row).toMatchObject({ endReason: "SIGN_OUT", userAgent: "vitest-browser/1.0" });
  });
});

describe("idle and expired sessions", () => {
  it("are refused everywhere, and /api/auth/session drops their cookie instead of renewing it", async () => {
    const { createUser } = await import("@/lib/users/service");
    const { sessionFrom } = await import("@/lib/sign-in/session");
    const { db } = await import("@/lib/db");
    const audit = { actor: systemActor("test"), requestId: "idle-test", clientIp: null };
    const user = await createUser({ email: "dozer@test.dev", name: "", role: "VIEWER", password: "a-long-password-1" }, audit);

    for (const [limit, reason] of [
      [{ lastActivityAt: new Date(Date.now() - 31 * 60_000) }, "IDLE"],
      [{ expiresAt: new Date(Date.now() - 1000) }, "EXPIRED"],
    ] as const) {
      const cookies = await signIn("dozer@test.dev", "a-long-password-1");
      const copy = { [cookieName]: cookies[cookieName]! };
      const active = await sessionFrom(asHeaders(copy));
      expect(active.actor).toMatchObject({ label: "dozer@test.dev" });
      // A background refetch of next-auth's session: answered, and still not activity.
      const open = await db.session.findFirstOrThrow({ where: { userId: user.id, endedAt: null } });
      expect((await nextAuth("session", { cookies: copy })).body).toMatchObject({ user: { email: "dozer@test.dev" } });
      expect((await db.session.findUniqueOrThrow({ where: { id: open.id } })).lastActivityAt).toEqual(open.lastActivityAt);

      await db.session.update({ where: { id: open.id }, data: limit });
      expect(await sessionFrom(asHeaders(copy)), reason).toEqual({ actor: null, ended: reason });
      const answer = await nextAuth("session", { cookies: copy });
      expect(answer.body, reason).toEqual({});
      expect(answer.cookies?.find((c) => c.name === cookieName)?.value ?? "", reason).toBe("");
    }
  });
});

describe("redirects after sign-in", () => {
  it("stay on the console whatever callbackUrl next-auth is given", async () => {
    const { createUser } = await import("@/lib/users/service");
    const audit = { actor: systemActor("test"), requestId: "redirect-test", clientIp: null };
    await createUser({ email: "traveller@test.dev", name: "", role: "VIEWER", password: "a-long-password-1" }, audit);
    for (const callbackUrl of ["https://evil.example/", "/\\evil.example", "/\t/evil.example", "//evil.example", "javascript:alert(1)", "/nodes?health=DOWN"]) {
      const csrf = await nextAuth("csrf");
      const cookies = jar(csrf);
      const { csrfToken } = csrf.body as { csrfToken: string };
      const answer = await nextAuth("callback/credentials", {
        method: "POST",
        cookies,
        body: { email: "traveller@test.dev", password: "a-long-password-1", csrfToken, callbackUrl, json: "true" },
      });
      const target = new URL(answer.redirect ?? "", origin);
      expect(target.origin, JSON.stringify(callbackUrl)).toBe(origin);
      expect(answer.redirect!.startsWith(origin + "/"), `${JSON.stringify(callbackUrl)} → ${answer.redirect}`).toBe(true);
      if (callbackUrl === "/nodes?health=DOWN") expect(target.pathname + target.search).toBe("/nodes?health=DOWN");
    }
  });
});

describe("activity", () => {
  it("is a change made with the session cookie from the console, never a read, nor a change refused as cross-site", async () => {
    const { createUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const { GET: me } = await import("@/app/api/v1/me/route");
    const { GET: state } = await import("@/app/api/v1/session/route");
    const { POST: activity } = await import("@/app/api/v1/session/activity/route");
    const audit = { actor: systemActor("test"), requestId: "activity-test", clientIp: null };
    const user = await createUser({ email: "worker@test.dev", name: "", role: "VIEWER", password: "a-long-password-1" }, audit);
    const cookies = await signIn("worker@test.dev", "a-long-password-1");
    const cookie = `${cookieName}=${cookies[cookieName]}`;
    const open = await db.session.findFirstOrThrow({ where: { userId: user.id, endedAt: null } });
    const old = new Date(Date.now() - 20 * 60_000);
    await db.session.update({ where: { id: open.id }, data: { lastActivityAt: old } });
    const lastActivity = async () => (await db.session.findUniqueOrThrow({ where: { id: open.id } })).lastActivityAt;

    const get = (url: string) => new Request(`${origin}${url}`, { headers: { cookie, host: "127.0.0.1:3999" } });
    expect((await me(get("/api/v1/me"))).status).toBe(200);
    const read = await state(get("/api/v1/session"));
    expect(read.status).toBe(200);
    const before = (await read.json()) as { session: { idleSecondsLeft: number } };
    expect(before.session.idleSecondsLeft).toBeGreaterThan(9 * 60);
    expect(before.session.idleSecondsLeft).toBeLessThanOrEqual(10 * 60);
    expect(await lastActivity()).toEqual(old);

    const post = (headers: Record<string, string>) =>
      new Request(`${origin}/api/v1/session/activity`, { method: "POST", headers: { cookie, host: "127.0.0.1:3999", ...headers } });
    expect((await activity(post({ origin: "https://evil.example" }))).status).toBe(403);
    expect(await lastActivity()).toEqual(old);

    const counted = await activity(post({ origin }));
    expect(counted.status).toBe(200);
    expect(((await counted.json()) as { session: { idleSecondsLeft: number } }).session.idleSecondsLeft).toBeGreaterThan(29 * 60);
    expect(Date.now() - (await lastActivity()).getTime()).toBeLessThan(5000);
  });

  it("means nothing to an API token, which has no session", async () => {
    const { POST: activity } = await import("@/app/api/v1/session/activity/route");
    const { GET: state } = await import("@/app/api/v1/session/route");
    const { createUser } = await import("@/lib/users/service");
    const { createToken } = await import("@/lib/tokens/service");
    const audit = { actor: systemActor("test"), requestId: "token-test", clientIp: null };
    const owner = await createUser({ email: "robot-owner@test.dev", name: "", role: "ADMIN", password: "a-long-password-1" }, audit);
    const { token } = await createToken({ name: "robot", role: "VIEWER", expiresInDays: 1 }, audit, owner.id);
    const headers = { authorization: `Bearer ${token}` };
    expect((await activity(new Request(`${origin}/api/v1/session/activity`, { method: "POST", headers }))).status).toBe(409);
    const read = await state(new Request(`${origin}/api/v1/session`, { headers }));
    expect(await read.json()).toEqual({ session: null });
  });

  it("after the idle timeout, a 401 that says why (so the page can say it too)", async () => {
    const { createUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const { GET: me } = await import("@/app/api/v1/me/route");
    const audit = { actor: systemActor("test"), requestId: "idle-401-test", clientIp: null };
    const user = await createUser({ email: "sleeper@test.dev", name: "", role: "VIEWER", password: "a-long-password-1" }, audit);
    const cookies = await signIn("sleeper@test.dev", "a-long-password-1");
    await db.session.updateMany({ where: { userId: user.id }, data: { lastActivityAt: new Date(Date.now() - 31 * 60_000) } });
    const res = await me(new Request(`${origin}/api/v1/me`, { headers: { cookie: `${cookieName}=${cookies[cookieName]}` } }));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, sessionEnded: "idle" });
  });
});
