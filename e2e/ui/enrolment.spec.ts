// Protects: enrolment from the node page — an admin issues the agent its
// credential and sees the ready config once; a viewer sees the enrolment
// state but no button, and the API refuses the viewer too.
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs, uniqueName } from "../helpers";

test("an admin enrols a node's agent from its page; the config is shown once", async ({ browser }) => {
  const admin = await apiAs("ADMIN");
  const cluster = await (await admin.post("/api/v1/clusters", { data: { name: uniqueName("enrol") } })).json();
  const node = await (
    await admin.post("/api/v1/nodes", { data: { clusterId: cluster.id, name: "enrol-1", host: "127.0.0.1", port: 9901, agentUrl: "http://127.0.0.1:7901" } })
  ).json();

  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  await page.goto(`/nodes/${node.id}`);
  await expect(page.getByText("Not enrolled")).toBeVisible();
  await page.getByRole("button", { name: "Issue credential" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Issue credential" }).click();
  const config = dialog.getByLabel("Agent config");
  await expect(config).toContainText('"role": "app"');
  await expect(config).toContainText('"port": 7901');
  const keyId = JSON.parse((await config.textContent())!).credentials[0].keyId as string;
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(keyId)).toBeVisible();
  await expect(page.getByRole("button", { name: "Rotate credential" })).toBeVisible();
  await context.close();

  const viewerContext = await browser.newContext({ storageState: storageState("VIEWER") });
  const viewerPage = await viewerContext.newPage();
  await viewerPage.goto(`/nodes/${node.id}`);
  await expect(viewerPage.getByText(keyId)).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: /credential/ })).toHaveCount(0);
  await viewerContext.close();

  const viewer = await apiAs("VIEWER");
  expect((await viewer.post(`/api/v1/nodes/${node.id}/agent-credential`)).status()).toBe(403);
  await viewer.dispose();
  await admin.dispose();
});
