// Protects: pages need a session (anonymous visitors land on sign-in), wrong
// passwords are refused, sign-out ends the session, and a disabled user's
// existing session stops working at once.
import { expect, test } from "@playwright/test";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

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

test("sign-out ends the session", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("OPERATOR") });
  const page = await context.newPage();
  await page.goto("/dashboard");
  await expect(page.getByTestId("current-user")).toContainText(E2E.users.OPERATOR.email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
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
