// Protects: the link-local destinations setting has a control admins can use
// (with a reason, which the audit trail keeps) and nobody else can open.
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs } from "../helpers";

test("an admin allows and refuses link-local destinations from Settings, with a reason", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();
  const state = page.getByTestId("link-local-state");
  await expect(state).toHaveText("refused");
  const reasons = ["agents listen on link-local addresses in this lab", "back to refusing them"];
  page.on("dialog", (d) => void d.accept(reasons.shift()));
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(state).toHaveText("allowed");
  await page.getByRole("button", { name: "Refuse" }).click();
  await expect(state).toHaveText("refused");

  const admin = await apiAs("ADMIN");
  expect(await (await admin.get("/api/v1/settings/link-local-destinations")).json()).toEqual({ allowed: false });
  const audit = (await (await admin.get("/api/v1/audit?action=settings.link-local-destinations&pageSize=10")).json()).items as { reason: string }[];
  expect(audit.map((a) => a.reason)).toEqual(expect.arrayContaining(["agents listen on link-local addresses in this lab", "back to refusing them"]));
  await admin.dispose();
  await context.close();
});

test("an operator is sent to /forbidden, and has no Settings link", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("OPERATOR") });
  const page = await context.newPage();
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/forbidden$/);
  await page.goto("/dashboard");
  await expect(page.getByRole("link", { name: "Settings" })).toHaveCount(0);
  await context.close();
});
