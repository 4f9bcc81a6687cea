// Protects: pages need a session (anonymous visitors land on sign-in), wrong
// passwords are refused, and a disabled user's existing session stops
// working at once. Sessions live on the server: sign-out ends the session
// itself, so a copy of its cookie is refused everywhere and next-auth does
// not renew it; a session ends after the idle timeout, counting only what
// the user does (input), never what an open page does by itself (the live
// stream, background refetches, prefetches, synthetic events); the page
// warns first and offers to stay signed in; at the absolute cap it ends
// however active. An ended session sends the user to sign in, saying why,
// and back to where they were.
//
// The demo console's limits stay long (E2E.sessionIdleSeconds idle, the 12 h
// default cap) for the other specs; these move a session's clock back in its
// database row instead.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type pg from "pg";
import { E2E } from "../env";
import { apiAs, consoleDatabase } from "../helpers";
import { duration } from "@/lib/sessions/policy";

const IDLE_MINUTES = E2E.sessionIdleSeconds / 60;
/** What the sign-in page calls that timeout. */
const idleWords = duration(E2E.sessionIdleSeconds);

/** A fresh user of this role, created by the admin (so no shared session is touched). */
async function newUser(role: "VIEWER" | "OPERATOR", prefix: string) {
  const admin = await apiAs("ADMIN");
  const email = `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@e2e.test`;
  const password = `${prefix}-password-1`;
  const res = await admin.post("/api/v1/users", { data: { email, password, role } });
  expect(res.status(), await res.text()).toBe(201);
  await admin.dispose();
  return { email, password };
}

async function fillSignIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A new browser signed in as `user` through the sign-in page, on `path`. */
async function signedIn(browser: Browser, user: { email: string; password: string }, path = "/dashboard"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/login?callbackUrl=${encodeURIComponent(path)}`);
  await fillSignIn(page, user);
  await expect(page).toHaveURL((url) => url.pathname + url.search === path);
  await expect(page.getByTestId("current-user")).toContainText(user.email);
  return { context, page };
}

type SessionRow = {
  id: string;
  lastActivityAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  clientIp: string | null;
  userAgent: string | null;
};

/** The user's latest session, straight from the console's database. */
async function latestSession(db: pg.Client, email: string): Promise<SessionRow> {
  const { rows } = await db.query<SessionRow>(
    `SELECT s.id, s."lastActivityAt", s."expiresAt", s."endedAt", s."endReason"::text AS "endReason", s."clientIp", s."userAgent"
       FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE u.email = $1 ORDER BY s."createdAt" DESC LIMIT 1`,
    [email],
  );
  expect(rows[0], `a session for ${email}`).toBeDefined();
  return rows[0]!;
}

/** Moves the session's last activity `minutes` into the past (and returns the value written). */
async function idleFor(db: pg.Client, id: string, minutes: number): Promise<Date> {
  const { rows } = await db.query<{ lastActivityAt: Date }>(
    `UPDATE "Session" SET "lastActivityAt" = now() - make_interval(secs => $2) WHERE id = $1 RETURNING "lastActivityAt"`,
    [id, minutes * 60],
  );
  return rows[0]!.lastActivityAt;
}

test("anonymous visitors are sent to sign in, and come back after", async ({ page }) => {
  await page.goto("/nodes?health=DOWN");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  await page.getByLabel("Email").fill(E2E.users.VIEWER.email);
  await page.getByLabel("Password").fill(E2E.users.VIEWER.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/nodes\?health=DOWN$/);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(E2E.users.OPERATOR.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("Wrong email or password");
  await expect(page).toHaveURL(/\/login/);
});

test("sign-out ends the session on the server: a copy of its cookie is refused everywhere and not renewed", async ({ browser }) => {
  // The shared operator account, in a session of its own: the stored one other specs use stays open.
  const operator = E2E.users.OPERATOR;
  const { context, page } = await signedIn(browser, operator);
  const copied = await context.cookies();
  expect(copied.some((c) => c.name.endsWith("next-auth.session-token"))).toBe(true);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  // Someone who kept a copy of the cookie (another tab, a stolen cookie) gets nothing.
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const me = await thief.request.get("/api/v1/me");
  expect(me.status()).toBe(401);
  expect(await me.json()).toMatchObject({ status: 401, sessionEnded: "signed-out" });
  const nextAuthSession = await thief.request.get("/api/auth/session");
  expect(await nextAuthSession.json()).toEqual({});
  // …and next-auth clears the cookie rather than renewing it.
  const setCookie = nextAuthSession
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value);
  for (const cookie of setCookie.filter((c) => c.includes("next-auth.session-token=")))
    expect(cookie).toMatch(/session-token=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
  expect((await thief.request.get("/api/v1/me")).status()).toBe(401);
  const thiefPage = await thief.newPage();
  await thiefPage.goto("/nodes");
  await expect(thiefPage).toHaveURL(/\/login/);

  // The one who signed out is told so, and stays out.
  await expect(page).toHaveURL(/\/login\?reason=signed-out/);
  await expect(page.getByTestId("session-ended")).toHaveText("You are signed out.");
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);

  // Audited, with who and why.
  const admin = await apiAs("ADMIN");
  const audit = await admin.get(`/api/v1/audit?action=auth.session-end&actor=${encodeURIComponent(operator.email)}`);
  const entries = ((await audit.json()) as { items: { actorLabel: string; summary: { reason: string } }[] }).items;
  expect(entries[0]).toMatchObject({ actorLabel: operator.email, summary: { reason: "SIGN_OUT" } });
  await admin.dispose();
  await thief.close();
  await context.close();
});

test("disabling a user ends their open session at once", async ({ browser }) => {
  const admin = await apiAs("ADMIN");
  const email = `short-lived-${Date.now()}@e2e.test`;
  const password = "short-lived-password-1";
  const created = await admin.post("/api/v1/users", { data: { email, password, role: "VIEWER" } });
  expect(created.status()).toBe(201);
  const user = await created.json();

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  expect((await admin.patch(`/api/v1/users/${user.id}`, { data: { disabled: true } })).status()).toBe(200);
  // The open page's live stream may notice first and send the tab to /login itself;
  // either way the next page is the sign-in page.
  await page.goto("/nodes").catch(() => {});
  await expect(page).toHaveURL(/\/login/);
  const api = await page.request.get("/api/v1/nodes");
  expect(api.status()).toBe(401);
  await context.close();
  await admin.dispose();
});

test("repeated wrong passwords lock the account for a while, and say so", async ({ page }) => {
  const admin = await apiAs("ADMIN");
  const email = `guessed-${Date.now()}@e2e.test`;
  const password = "the-real-password-1";
  expect((await admin.post("/api/v1/users", { data: { email, password, role: "VIEWER" } })).status()).toBe(201);
  await admin.dispose();

  await page.goto("/login");
  const alert = page.locator("form").getByRole("alert");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong-${i}`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(alert).toContainText("Wrong email or password");
  }
  // Locked now: even the right password is refused until the lock expires.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(alert).toContainText(/Too many failed sign-ins\. Try again in \d+ s/);
  await expect(page).toHaveURL(/\/login/);
});

test("an open page does not keep its session alive (stream, refetches, prefetches, synthetic events); real input does", async ({ browser }) => {
  test.setTimeout(120_000);
  const user = await newUser("VIEWER", "watcher");
  const db = await consoleDatabase();
  try {
    const { context, page } = await signedIn(browser, user);
    const session = await latestSession(db, user.email);
    expect(session).toMatchObject({ endedAt: null, userAgent: expect.stringContaining("Chrome") });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.reload(); // not activity either
    await expect(page.getByTestId("current-user")).toBeVisible();
    const before = await idleFor(db, session.id, IDLE_MINUTES / 3);

    // Everything a page does without its user, for longer than the stream's 30 s session re-check.
    await page.getByRole("link", { name: "App nodes" }).hover(); // a prefetch, not a click
    await page.evaluate(() => {
      for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) window.dispatchEvent(new Event(type, { bubbles: true }));
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForTimeout(35_000);
    expect(requests.filter((r) => r === "GET /api/v1/stream").length, "the live stream was open").toBeGreaterThan(0);
    expect(requests.filter((r) => r === "GET /api/v1/summary").length, "the dashboard refetched in the background").toBeGreaterThanOrEqual(3);
    expect(
      requests.filter((r) => r.startsWith("POST /api/v1/session/activity")),
      "no activity reported",
    ).toEqual([]);
    expect((await latestSession(db, user.email)).lastActivityAt).toEqual(before);

    // A click is the user: reported at once, and the idle clock starts again.
    await page.getByRole("heading", { level: 1 }).first().click();
    await expect.poll(async () => Date.now() - (await latestSession(db, user.email)).lastActivityAt.getTime(), { timeout: 10_000 }).toBeLessThan(15_000);
    // More input within the minute is not reported again: at most one report a minute per tab.
    await page.keyboard.press("Shift");
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(2000);
    expect(requests.filter((r) => r === "POST /api/v1/session/activity")).toHaveLength(1);
    await context.close();
  } finally {
    await db.end();
  }
});

test("a session idle for the timeout ends: the next page or API call goes to sign in, says why, and comes back after", async ({ browser }) => {
  const user = await newUser("VIEWER", "napper");
  const db = await consoleDatabase();
  try {
    const { context, page } = await signedIn(browser, user, "/nodes?health=DOWN");
    const session = await latestSession(db, user.email);
    await idleFor(db, session.id, IDLE_MINUTES + 1);

    // An API call says why…
    expect(await (await page.request.get("/api/v1/nodes")).json()).toMatchObject({ status: 401, sessionEnded: "idle" });
    // …and so the open tab, at its next call (here the input it reports), goes to sign in.
    await page.getByRole("heading", { level: 1 }).first().click();
    await expect(page).toHaveURL(/\/login\?reason=idle&callbackUrl=%2Fnodes%3Fhealth%3DDOWN$/);
    await expect(page.getByTestId("session-ended")).toContainText(`signed out after ${idleWords} without activity`);
    expect(await latestSession(db, user.email)).toMatchObject({ endReason: "IDLE" });

    // The next page, in another tab, too; signing in there comes back to that page.
    const next = await context.newPage();
    await next.goto("/events?severity=CRITICAL");
    await expect(next).toHaveURL(/\/login\?reason=idle&callbackUrl=%2Fevents%3Fseverity%3DCRITICAL$/);
    await expect(next.getByTestId("session-ended")).toContainText(`signed out after ${idleWords} without activity`);
    await fillSignIn(next, user);
    await expect(next).toHaveURL(/\/events\?severity=CRITICAL$/);
    await expect(next.getByTestId("current-user")).toContainText(user.email);
    await context.close();
  } finally {
    await db.end();
  }
});

test("two minutes before the idle timeout the page warns, and 'Stay signed in' keeps the session", async ({ browser }) => {
  const user = await newUser("OPERATOR", "warned");
  const db = await consoleDatabase();
  try {
    const { context, page } = await signedIn(browser, user);
    const session = await latestSession(db, user.email);
    const before = await idleFor(db, session.id, IDLE_MINUTES - 1.5);
    await page.reload();
    const warning = page.getByTestId("session-warning");
    await expect(warning).toContainText(/You will be signed out in [01]:\d\d for inactivity/);
    expect((await latestSession(db, user.email)).lastActivityAt).toEqual(before);

    await warning.getByRole("button", { name: "Stay signed in" }).click();
    await expect(warning).toBeHidden();
    await expect.poll(async () => Date.now() - (await latestSession(db, user.email)).lastActivityAt.getTime()).toBeLessThan(15_000);
    expect((await page.request.get("/api/v1/me")).status()).toBe(200);
    await context.close();
  } finally {
    await db.end();
  }
});

test("at the absolute cap the session ends however active, and sign-in says so", async ({ browser }) => {
  const user = await newUser("VIEWER", "marathon");
  const db = await consoleDatabase();
  try {
    const { context, page } = await signedIn(browser, user, "/clusters");
    const session = await latestSession(db, user.email);
    expect(session.expiresAt.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    await db.query(`UPDATE "Session" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [session.id]);
    // Activity does not help: the input's report is refused, and the tab goes to sign in.
    await page.getByRole("heading", { level: 1 }).first().click();
    await expect(page).toHaveURL(/\/login\?reason=expired&callbackUrl=%2Fclusters$/);
    await expect(page.getByTestId("session-ended")).toContainText("reached its limit of 12 hours");
    expect(await latestSession(db, user.email)).toMatchObject({ endReason: "EXPIRED" });
    await context.close();
  } finally {
    await db.end();
  }
});
