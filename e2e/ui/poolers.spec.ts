// Protects: a cluster's connection poolers are on its page for every reader. A viewer
// sees the pooler's row (name, address, health) in the "Connection poolers" table and its
// page, but none of the admin's ways to add, change or delete one.
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs, uniqueName } from "../helpers";

test("a viewer sees a cluster's pooler in its table, read-only", async ({ browser }) => {
  const admin = await apiAs("ADMIN");
  const cluster = await (await admin.post("/api/v1/clusters", { data: { name: uniqueName("pooled") } })).json();
  const pooler = await (await admin.post("/api/v1/poolers", { data: { clusterId: cluster.id, name: "pgb-view", host: "127.0.0.1", port: 6499 } })).json();
  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  try {
    const page = await context.newPage();
    await page.goto(`/clusters/${cluster.id}`);
    const table = page.getByRole("table", { name: "Connection poolers of this cluster" });
    const row = table.getByRole("row", { name: /pgb-view/ });
    await expect(row).toContainText("127.0.0.1:6499");
    await expect(row).toContainText("Unknown");
    await expect(row).toContainText("no agent: TCP probe only");
    await expect(page.getByRole("link", { name: "New pooler" })).toHaveCount(0);

    await row.getByRole("link", { name: "pgb-view" }).click();
    await expect(page).toHaveURL(new RegExp(`/poolers/${pooler.id}$`));
    await expect(page.getByRole("heading", { name: "pgb-view" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^(Edit|Delete)$/ })).toHaveCount(0);
  } finally {
    await context.close();
    await admin.delete(`/api/v1/poolers/${pooler.id}`);
    await admin.delete(`/api/v1/clusters/${cluster.id}`);
    await admin.dispose();
  }
});
