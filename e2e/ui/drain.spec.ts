// Protects: an operator drains a node of the demo cluster from its page while
// traffic runs: the dialog says what the other nodes can carry before
// anything happens, the drain's progress (sessions left, the curve) follows
// live to DRAINED, HAProxy holds the server in DRAIN, and Resume puts it back.
// A viewer has no such buttons and the API refuses them.
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs } from "../helpers";

test.describe.configure({ mode: "serial", timeout: 120_000 });

async function demoNode(name: string): Promise<{ id: string; adminState: string }> {
  const api = await apiAs("VIEWER");
  let node: { id: string; adminState: string; health: string } | undefined;
  await expect
    .poll(
      async () => {
        const page = await (await api.get(`/api/v1/nodes?q=${name}&pageSize=10`)).json();
        node = page.items.find((n: { name: string; cluster: { name: string } }) => n.name === name && n.cluster.name === "demo");
        return node?.health;
      },
      { timeout: 60_000 },
    )
    .toBe("UP");
  await api.dispose();
  return node!;
}

test("an operator drains a node under traffic and resumes it, following both live", async ({ browser }) => {
  const node = await demoNode("app-3");
  const context = await browser.newContext({ storageState: storageState("OPERATOR") });
  const page = await context.newPage();
  await page.goto(`/nodes/${node.id}`);
  await page.getByRole("button", { name: "Drain" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("drain-impact")).toContainText("The others can carry it.");
  await dialog.getByLabel("Reason").fill("e2e: kernel patch");
  await dialog.getByLabel("Deadline (seconds)").fill("8");
  await dialog.getByLabel("At the deadline").selectOption("end-sessions");
  await dialog.getByRole("button", { name: "Drain", exact: true }).click();

  await expect(page).toHaveURL(/\/operations\//);
  await expect(page.getByRole("heading", { name: "Drain of app-3" })).toBeVisible();
  await expect(page.getByTestId("drain-sessions")).toContainText("session(s) left");
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  const api = await apiAs("VIEWER");
  const drained = await (await api.get(`/api/v1/nodes/${node.id}`)).json();
  expect(drained.adminState).toBe("DRAINED");

  await page.getByRole("link", { name: "Back to app-3" }).click();
  await page.getByRole("button", { name: "Resume" }).click();
  await page.getByRole("dialog").getByLabel("Reason").fill("e2e: patched");
  await page.getByRole("dialog").getByLabel("Slow start (seconds)").fill("2");
  await page.getByRole("dialog").getByRole("button", { name: "Resume" }).click();
  await expect(page.getByRole("heading", { name: "Resume of app-3" })).toBeVisible();
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 30_000 });
  expect((await (await api.get(`/api/v1/nodes/${node.id}`)).json()).adminState).toBe("ACTIVE");
  await api.dispose();
  await context.close();
});

test("a viewer gets no incident buttons, and the API refuses them", async ({ browser }) => {
  const node = await demoNode("app-1");
  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto(`/nodes/${node.id}`);
  await expect(page.getByRole("heading", { name: "app-1" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Drain" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Maintenance" })).toHaveCount(0);
  const api = await apiAs("VIEWER");
  expect((await api.post(`/api/v1/nodes/${node.id}/drain`, { data: { reason: "not allowed" } })).status()).toBe(403);
  await api.dispose();
  await context.close();
});
