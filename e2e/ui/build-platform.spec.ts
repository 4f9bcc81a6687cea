// Protects: an admin can build a whole three-tier platform through the pages
// (cluster, load balancer, two nodes in its pool, a primary and a replica),
// and a viewer then sees all of it with no control they cannot use.
import { expect, test, type Page } from "@playwright/test";
import { storageState } from "../env";
import { uniqueName } from "../helpers";

const names = {
  cluster: uniqueName("shop"),
  // Names unlike the demo cluster's (which runs beside these tests).
  lb: "edge-lb-1",
  nodes: ["web-1", "web-2"],
  primary: "db-main",
  replica: "db-standby",
};

async function choose(page: Page, label: string, option: string) {
  await page.getByLabel(label, { exact: true }).selectOption({ label: option });
}

test.describe.serial("building a platform", () => {
  test("an admin builds it through the UI", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageState("ADMIN") });
    const page = await context.newPage();

    await page.goto("/clusters");
    await page.getByRole("link", { name: "New cluster" }).click();
    await page.getByLabel("Name", { exact: true }).fill(names.cluster);
    await page.getByLabel("Description").fill("Checkout & payments <prod>");
    await page.getByRole("button", { name: "Create cluster" }).click();
    await expect(page.getByRole("heading", { name: names.cluster })).toBeVisible();
    // HTML in a description is shown as text, never interpreted.
    await expect(page.getByText("Checkout & payments <prod>").first()).toBeVisible();

    await page.goto("/load-balancers/new");
    await page.getByLabel("Name", { exact: true }).fill(names.lb);
    await choose(page, "Cluster", names.cluster);
    await choose(page, "Kind", "HAProxy");
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("8080");
    await page.getByRole("button", { name: "Create load balancer" }).click();
    await expect(page.getByRole("heading", { name: names.lb })).toBeVisible();

    for (const [i, node] of names.nodes.entries()) {
      await page.goto("/nodes/new");
      await page.getByLabel("Name", { exact: true }).fill(node);
      await choose(page, "Cluster", names.cluster);
      await page.getByLabel("Host").fill("127.0.0.1");
      await page.getByLabel("Port").fill(String(9001 + i));
      await page.getByRole("button", { name: "Create node" }).click();
      await expect(page.getByRole("heading", { name: node })).toBeVisible();
    }

    // A form with bad input says what is wrong and does not navigate away.
    await page.goto("/nodes/new");
    await page.getByLabel("Name", { exact: true }).fill("<b>bad</b>");
    await choose(page, "Cluster", names.cluster);
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("70000");
    await page.getByRole("button", { name: "Create node" }).click();
    await expect(page.getByText(/letters, digits/i).first()).toBeVisible();
    await expect(page).toHaveURL(/\/nodes\/new$/);

    await page.goto("/load-balancers");
    await page.getByRole("link", { name: names.lb }).first().click();
    for (const node of names.nodes) {
      await page.getByRole("button", { name: "Add node to pool" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Node").selectOption({ label: node });
      await dialog.getByLabel("Weight").fill(node === "web-2" ? "50" : "100");
      await dialog.getByRole("button", { name: "Add to pool" }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole("link", { name: node })).toBeVisible();
    }

    for (const [name, role, port] of [
      [names.primary, "Primary", 5432],
      [names.replica, "Replica", 5433],
    ] as const) {
      await page.goto("/databases/new");
      await page.getByLabel("Name", { exact: true }).fill(name);
      await choose(page, "Cluster", names.cluster);
      await page.getByLabel("Host").fill("127.0.0.1");
      await page.getByLabel("Port").fill(String(port));
      await choose(page, "Role", role);
      await page.getByRole("button", { name: "Create database" }).click();
      await expect(page.getByRole("heading", { name })).toBeVisible();
    }

    // The cluster page shows every tier.
    await page.goto("/clusters");
    await page.getByRole("link", { name: names.cluster }).click();
    for (const n of [names.lb, ...names.nodes, names.primary, names.replica]) {
      await expect(page.getByRole("link", { name: n, exact: true })).toBeVisible();
    }
    await context.close();
  });

  test("a viewer sees it all and no edit controls", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageState("VIEWER") });
    const page = await context.newPage();
    const editControls = /^(New |Edit|Delete|Save|Add node to pool|Remove)/;

    for (const path of ["/clusters", "/load-balancers", "/nodes", "/databases"]) {
      await page.goto(path);
      await expect(page.getByRole("link", { name: editControls })).toHaveCount(0);
      await expect(page.getByRole("button", { name: editControls })).toHaveCount(0);
    }
    await page.goto("/load-balancers");
    await page.getByRole("link", { name: names.lb }).first().click();
    await expect(page.getByRole("link", { name: "web-1" })).toBeVisible();
    await expect(page.getByRole("link", { name: "web-2" })).toBeVisible();
    await expect(page.getByRole("button", { name: editControls })).toHaveCount(0);

    await page.goto("/databases");
    await expect(page.getByRole("link", { name: names.primary })).toBeVisible();
    await expect(page.getByRole("link", { name: names.replica })).toBeVisible();

    // Admin-only pages are refused, not merely hidden from the menu.
    for (const path of ["/nodes/new", "/users", "/tokens"]) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/forbidden$/);
    }
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toHaveCount(0);
    await context.close();
  });
});
