// Protects: what happens on the platform shows in an open page without a
// reload. An app node of the demo cluster is killed (kill -9) and resumed
// through the demo's control channel (what `clusterdeck lab` uses); the
// nodes page, left open, follows both changes on its own.
import path from "node:path";
import { expect, test } from "@playwright/test";
import { controlRequest } from "@/demo/control";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

const demoDir = path.join(E2E.dataDir, "demo");

test.describe.configure({ timeout: 90_000 });

test("a killed app node turns DOWN in an open page, and UP again, without a reload", async ({ browser }) => {
  // The demo cluster comes up after the console answers: wait for its node to be UP.
  const api = await apiAs("VIEWER");
  await expect
    .poll(
      async () => {
        const nodes = await (await api.get("/api/v1/nodes?q=app-2&pageSize=10")).json();
        return nodes.items.find((n: { name: string; cluster: { name: string } }) => n.name === "app-2" && n.cluster.name === "demo")?.health;
      },
      { timeout: 60_000 },
    )
    .toBe("UP");
  await api.dispose();

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto("/nodes?q=app-2");
  const row = page
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: "app-2", exact: true }) })
    .filter({ hasText: "demo" });
  await expect(row.getByText("Up", { exact: true })).toBeVisible();
  // A marker that a reload would wipe.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const killed = await controlRequest(demoDir, { verb: "kill", name: "app-2" });
  expect(killed.status).toBe(200);
  await expect(row.getByText("Down", { exact: true })).toBeVisible({ timeout: 10_000 });

  const resumed = await controlRequest(demoDir, { verb: "resume", name: "app-2" });
  expect(resumed.status).toBe(200);
  await expect(row.getByText("Up", { exact: true })).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await context.close();
});
