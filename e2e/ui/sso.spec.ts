// Protects: OpenID Connect single sign-on against a real provider
// (e2e/oidc/provider.ts). A user's groups at the provider decide the role:
// the admin group gets ADMIN, the viewer group VIEWER (no mutating buttons,
// 403 from the API); no mapped group is refused with a message and no
// session, and audited; an SSO identity never takes over a local account
// that has its email; local accounts still sign in with their password on
// the same page; a change of groups applies at the next sign-in and ends
// sessions opened under the old role.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E } from "../env";
import { apiAs } from "../helpers";

const origin = { origin: E2E.baseURL };
const account = (login: string) => E2E.oidc.accounts[login]!;

/** From the console's sign-in page through the provider's login form and back. */
async function ssoSignIn(page: Page, login: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: `Sign in with ${E2E.oidc.name}` }).click();
  await expect(page).toHaveURL((url) => url.origin === E2E.oidc.issuer && url.pathname.startsWith("/interaction/"));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password will do here");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

async function setGroups(login: string, groups: string[]) {
  const res = await fetch(`${E2E.oidc.issuer}/__e2e/groups/${login}`, { method: "PUT", body: JSON.stringify(groups) });
  expect(res.status).toBe(204);
}

async function me(page: Page) {
  const res = await page.request.get("/api/v1/me");
  return { status: res.status(), role: res.ok() ? ((await res.json()) as { role: string }).role : null };
}

async function lastDeniedSignIn(actor: string) {
  const admin = await apiAs("ADMIN");
  const res = await admin.get(`/api/v1/audit?action=auth.sign-in&outcome=DENIED&actor=${encodeURIComponent(actor)}`);
  expect(res.status()).toBe(200);
  const entry = ((await res.json()) as { items: { summary: Record<string, unknown> }[] }).items[0];
  await admin.dispose();
  expect(entry, `a DENIED sign-in audited for ${actor}`).toBeDefined();
  return entry!;
}

test("a user in the admin group signs in with single sign-on and is ADMIN", async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  const { email } = account("sso-admin");
  await ssoSignIn(page, "sso-admin");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("current-user")).toContainText(email);
  await expect(page.getByTestId("current-user")).toContainText("Admin");
  expect(await me(page)).toEqual({ status: 200, role: "ADMIN" });

  // An admin-only page, and the account shown there as single sign-on, without password or role actions.
  await page.goto(`/users?q=${encodeURIComponent(email)}`);
  const row = page.getByTestId("user-row").filter({ hasText: email });
  await expect(row).toContainText("Single sign-on");
  await expect(row.getByRole("button", { name: `Reset password for ${email}` })).toHaveCount(0);
  await expect(row.getByRole("button", { name: `Change role of ${email}` })).toHaveCount(0);
  await expect(row.getByRole("button", { name: `Disable ${email}` })).toBeVisible();

  // An admin-only mutation through the session works.
  const token = await page.request.post("/api/v1/tokens", { headers: origin, data: { name: "sso admin", role: "ADMIN", expiresInDays: 1 } });
  expect(token.status(), await token.text()).toBe(201);

  // No password can be set for an SSO account, even by an admin.
  const users = (await (await page.request.get(`/api/v1/users?q=${encodeURIComponent(email)}`)).json()) as { items: { id: string; authSource: string }[] };
  expect(users.items).toHaveLength(1);
  expect(users.items[0]!.authSource).toBe("OIDC");
  const reset = await page.request.post(`/api/v1/users/${users.items[0]!.id}/password`, { headers: origin, data: { password: "a-password-for-sso-1" } });
  expect(reset.status()).toBe(409);
  expect(reset.headers()["content-type"]).toContain("application/problem+json");
  expect(((await reset.json()) as { detail: string }).detail).toMatch(/single sign-on/);
  await context.close();
});

test("a user in the viewer group is VIEWER: no edit controls, and the API refuses changes", async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await ssoSignIn(page, "sso-viewer");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("current-user")).toContainText(account("sso-viewer").email);
  expect(await me(page)).toEqual({ status: 200, role: "VIEWER" });

  const editControls = /^(New |Edit|Delete|Save|Drain|Maintenance)/;
  for (const path of ["/nodes", "/clusters", "/load-balancers"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: editControls })).toHaveCount(0);
    await expect(page.getByRole("link", { name: editControls })).toHaveCount(0);
  }
  await page.goto("/users");
  await expect(page).toHaveURL(/\/forbidden$/);
  const create = await page.request.post("/api/v1/users", { headers: origin, data: { email: "nope@e2e.test", password: "a-long-password-1", role: "ADMIN" } });
  expect(create.status()).toBe(403);
  await context.close();
});

test("a user in no mapped group is refused with a message, gets no session, and it is audited", async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await ssoSignIn(page, "sso-nogroup");
  await expect(page).toHaveURL(/\/login\?error=SsoNoRole$/);
  await expect(page.locator("form").getByRole("alert")).toContainText("not in any group that may use Clusterdeck");
  expect((await context.cookies(E2E.baseURL)).map((c) => c.name)).not.toContain("next-auth.session-token");
  expect(await me(page)).toEqual({ status: 401, role: null });
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
  expect((await lastDeniedSignIn(account("sso-nogroup").email)).summary).toMatchObject({
    method: "oidc",
    reason: "no group maps to a role",
    groups: ["staff", "contractors"],
  });
  await context.close();
});

test("an SSO identity with a local account's email is refused, and the local account is untouched", async ({ browser }) => {
  const { context, page } = await freshPage(browser);
  await ssoSignIn(page, "sso-clash");
  await expect(page).toHaveURL(/\/login\?error=SsoEmailTaken$/);
  await expect(page.locator("form").getByRole("alert")).toContainText("already uses your email address");
  expect(await me(page)).toEqual({ status: 401, role: null });
  expect((await lastDeniedSignIn(E2E.users.OPERATOR.email)).summary).toMatchObject({ method: "oidc", reason: "email belongs to a local account" });

  // The local operator still signs in with its password, as OPERATOR, on the same page.
  await page.goto("/login");
  await expect(page.getByRole("button", { name: `Sign in with ${E2E.oidc.name}` })).toBeVisible();
  await page.getByLabel("Email").fill(E2E.users.OPERATOR.email);
  await page.getByLabel("Password").fill(E2E.users.OPERATOR.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  expect(await me(page)).toEqual({ status: 200, role: "OPERATOR" });
  await context.close();
});

test("a change of groups at the provider applies at the next sign-in and ends older sessions", async ({ browser }) => {
  const login = "sso-promoted";
  await setGroups(login, ["cd-viewers"]);
  try {
    const first = await freshPage(browser);
    await ssoSignIn(first.page, login);
    await expect(first.page).toHaveURL(/\/dashboard$/);
    expect(await me(first.page)).toEqual({ status: 200, role: "VIEWER" });

    // Promoted at the provider: nothing changes until the user signs in again.
    await setGroups(login, ["cd-viewers", "cd-admins"]);
    expect(await me(first.page)).toEqual({ status: 200, role: "VIEWER" });
    const second = await freshPage(browser);
    await ssoSignIn(second.page, login);
    await expect(second.page).toHaveURL(/\/dashboard$/);
    expect(await me(second.page)).toEqual({ status: 200, role: "ADMIN" });
    await second.page.goto("/users");
    await expect(second.page).toHaveURL(/\/users$/);
    // The session opened as VIEWER ended with the role change.
    expect(await me(first.page)).toEqual({ status: 401, role: null });

    // Removed from every mapped group: the next sign-in is refused, and the ADMIN session ends too.
    await setGroups(login, ["staff"]);
    const third = await freshPage(browser);
    await ssoSignIn(third.page, login);
    await expect(third.page).toHaveURL(/\/login\?error=SsoNoRole$/);
    expect(await me(second.page)).toEqual({ status: 401, role: null });
    for (const { context } of [first, second, third]) await context.close();
  } finally {
    await setGroups(login, ["cd-viewers"]);
  }
});
