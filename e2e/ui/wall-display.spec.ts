// Protects: a wall display shows the console with nobody signed in at it, and
// can do nothing else. An admin makes one on the Sessions page; its link works
// once; the display is a read-only viewer (every change refused, even to an
// admin-made display), reports no activity and has no idle timeout; the admin
// sees it among the open sessions and ends it, and the display is sent to the
// sign-in page saying so.
import { expect, test } from "@playwright/test";
import { E2E, storageState } from "../env";
import { consoleDatabase } from "../helpers";

test("an admin makes a read-only wall display, which never idles out, and ends it", async ({ browser }) => {
  test.setTimeout(90_000);
  const label = `NOC wall ${Date.now().toString(36)}`;
  const adminContext = await browser.newContext({ storageState: storageState("ADMIN") });
  const admin = await adminContext.newPage();
  await admin.goto("/sessions");
  await expect(admin.getByRole("heading", { name: "Sessions" })).toBeVisible();
  const own = admin.getByTestId("session-row").filter({ hasText: "this session" });
  await expect(own).toHaveCount(1);
  await expect(own).toContainText(E2E.users.ADMIN.email);
  await admin.getByRole("button", { name: "New wall display" }).click();
  await admin.getByLabel("Name").fill(label);
  await admin.getByLabel("Works for (days)").fill("7");
  await admin.getByRole("button", { name: "Make display link" }).click();
  const link = (await admin.getByTestId("display-link").textContent())!.trim();
  expect(link).toMatch(new RegExp(`^${E2E.baseURL}/display#[A-Za-z0-9_-]{43}$`));
  await admin.getByRole("button", { name: "Done" }).click();

  // The wall opens the link: the dashboard, as a read-only viewer, the code gone from the address bar.
  const wallContext = await browser.newContext();
  const wall = await wallContext.newPage();
  const reports: string[] = [];
  wall.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/session/activity") reports.push(r.method());
  });
  await wall.goto(link);
  await expect(wall).toHaveURL(/\/dashboard$/);
  await expect(wall.getByTestId("current-user")).toContainText(`wall display "${label}"`);
  await expect(wall.getByTestId("current-user")).toContainText("read-only");
  await expect(wall.getByRole("link", { name: "Users" })).toHaveCount(0);

  // Every change is refused to it, including "I am here".
  const headers = { origin: E2E.baseURL };
  for (const [path, data] of [
    ["/api/v1/session/activity", undefined],
    ["/api/v1/tokens", { name: "from-the-wall", role: "VIEWER", expiresInDays: 1 }],
    ["/api/v1/displays", { label: "another wall", days: 1 }],
  ] as const) {
    const res = await wall.request.post(path, { headers, data });
    expect(res.status(), path).toBe(403);
  }
  // Input on the wall reports nothing: there is no activity to report.
  await wall.getByRole("heading", { level: 1 }).first().click();
  await wall.keyboard.press("Shift");
  await wall.waitForTimeout(1000);
  expect(reports).toEqual([]);

  // The link worked once.
  const thiefContext = await browser.newContext();
  const thief = await thiefContext.newPage();
  await thief.goto(link);
  await expect(thief.locator("main").getByRole("alert")).toContainText("already used");
  expect((await thief.request.get("/api/v1/me")).status()).toBe(401);
  await thiefContext.close();

  // No idle timeout: two days without a touch, and it still shows the console.
  const db = await consoleDatabase();
  try {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Session" WHERE kind = 'DISPLAY' AND label = $1`, [label]);
    await db.query(`UPDATE "Session" SET "lastActivityAt" = now() - interval '2 days' WHERE id = $1`, [rows[0]!.id]);
  } finally {
    await db.end();
  }
  await wall.reload();
  await expect(wall).toHaveURL(/\/dashboard$/);
  await expect(wall.getByTestId("current-user")).toContainText(`wall display "${label}"`);

  // The admin ends it; the wall's next request goes to sign in, saying so.
  await admin.reload();
  const row = admin.getByTestId("session-row").filter({ hasText: label });
  await expect(row).toContainText("Display, read-only");
  await row.getByRole("button", { name: /^End the session of/ }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "End session" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "has ended" })).toBeVisible();
  await expect(admin.getByTestId("session-row").filter({ hasText: label })).toHaveCount(0);

  await wall.reload();
  await expect(wall).toHaveURL(/\/login\?reason=ended/);
  await expect(wall.getByTestId("session-ended")).toContainText("Your session was ended");
  await wallContext.close();
  await adminContext.close();
});
