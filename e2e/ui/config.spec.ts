// Protects: configuration push through the browser, on the demo cluster's real
// HAProxy and agents. An admin edits HAProxy's configuration, sees haproxy -c
// refuse a bad line (with its number) before anything changes, saves a good
// revision, deploys it and follows the deployment to the end without a
// reload; a line outside the agent's safe set is refused on the field it was
// typed in. A hand edit of the file on disk shows as drift in an open page, and
// reconcile puts it back; a drift that starts while a page loads, before its
// stream opens, still reaches it. A viewer reads the app settings with the database
// password masked and gets no way to change anything.
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

const haproxyCfg = path.join(E2E.dataDir, "demo", "haproxy", "haproxy.cfg");

test.describe.configure({ mode: "serial", timeout: 120_000 });

type Scope = { key: string; kind: string; clusterName: string; latestRevision: number | null; name: string };

async function demoScopes(): Promise<{ haproxy: Scope; app: Scope }> {
  const api = await apiAs("ADMIN");
  let scopes: Scope[] = [];
  // The demo hands its configurations to the console once its agents run: wait for both revisions.
  await expect
    .poll(
      async () => {
        scopes = (await (await api.get("/api/v1/config/scopes")).json()) as Scope[];
        return scopes.filter((s) => s.clusterName === "demo" && s.latestRevision !== null && s.kind !== "POSTGRES").length;
      },
      { timeout: 90_000 },
    )
    .toBe(2);
  // …and the worker has deployed them (no deployment still running).
  await expect
    .poll(
      async () => {
        const ops = (await (await api.get("/api/v1/operations?kind=config.deploy")).json()) as { state: string }[];
        return ops.length > 0 && ops.every((o) => !["PENDING", "RUNNING"].includes(o.state));
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  await api.dispose();
  return {
    haproxy: scopes.find((s) => s.clusterName === "demo" && s.kind === "HAPROXY")!,
    app: scopes.find((s) => s.clusterName === "demo" && s.kind === "APP")!,
  };
}

const targetRow = (page: Page, name: string) => page.getByTestId(`target-${name}`);

test("an admin validates, saves and deploys an HAProxy revision, following it live", async ({ browser }) => {
  const { haproxy } = await demoScopes();
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  await page.goto(`/config/${haproxy.key}`);
  await expect(page.getByRole("heading", { name: "HAProxy of haproxy-1" })).toBeVisible();
  await expect(targetRow(page, "haproxy-1").getByText("In sync")).toBeVisible({ timeout: 20_000 });
  const before = await readFile(haproxyCfg, "utf8");

  await page.getByRole("link", { name: "New revision" }).click();
  // Outside the agent's safe set: refused on its line, in the field it was typed in, before it leaves the console.
  await page.getByLabel("Extra lines in global").fill("maxconn 2000\nlua-load /tmp/evil.lua");
  await page.getByRole("button", { name: "Validate" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "The agent refused" });
  await expect(refusal).toContainText(/line \d+ \(Extra lines in global, line 2\): "lua-load" is refused: Lua runs as root/);
  await expect(page.getByText(/^line 2: "lua-load" is refused/)).toBeVisible();
  await page.getByLabel("Extra lines in global").fill("");
  // Inside the safe set but wrong: HAProxy's own haproxy -c says so, with the line.
  await page.getByLabel("Extra lines in the backend").fill("balance no-such-algorithm");
  await page.getByRole("button", { name: "Validate" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "The agent refused" });
  await expect(alert).toContainText(/line \d+ \(Extra lines in the backend, line 1\): .*balance only supports/);
  // Nothing changed on the load balancer.
  expect(await readFile(haproxyCfg, "utf8")).toBe(before);

  await page.getByLabel("Extra lines in the backend").fill("");
  await page.getByLabel("Timeout client (ms)").fill("45000");
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByText("Valid", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Changes against the latest revision")).toContainText("timeout client 45000ms");
  await page.getByLabel("What changed, and why").fill("Longer client timeout for slow uploads");
  await page.getByRole("button", { name: "Save revision" }).click();
  await expect(page.getByRole("status").filter({ hasText: /Revision \d+ saved/ })).toBeVisible();
  expect(await readFile(haproxyCfg, "utf8")).toBe(before);

  const latest = page.locator("[data-testid^=revision-]").first();
  await latest.getByRole("button", { name: "Deploy" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Reason").fill("e2e: roll out the longer timeout");
  await dialog.getByRole("button", { name: "Start deployment" }).click();
  await expect(page).toHaveURL(/\/operations\//);
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await expect(page.getByTestId("operation-progress")).toHaveText("1 of 1 target done", { timeout: 30_000 });
  await expect(page.getByText("Succeeded").first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(await readFile(haproxyCfg, "utf8")).toContain("timeout client 45000ms");
  await context.close();
});

test("a hand edit on the load balancer shows as drift in an open page, and reconcile ends it", async ({ browser }) => {
  const { haproxy } = await demoScopes();
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  await page.goto(`/config/${haproxy.key}`);
  const row = targetRow(page, "haproxy-1");
  await expect(row.getByText("In sync")).toBeVisible({ timeout: 20_000 });
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await appendFile(haproxyCfg, "# edited by hand during an incident\n");
  await expect(row.getByText("Drift")).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  await row.getByRole("button", { name: "Compare" }).click();
  await expect(page.getByRole("dialog").getByLabel("Deployed (−) against running (+)")).toContainText("edited by hand during an incident");
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();

  await row.getByRole("button", { name: "Reconcile" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Reconcile" }).click();
  await expect(page).toHaveURL(/\/operations\//);
  await expect(page.getByTestId("operation-progress")).toHaveText("1 of 1 target done", { timeout: 30_000 });
  expect(await readFile(haproxyCfg, "utf8")).not.toContain("edited by hand");
  await page.goto(`/config/${haproxy.key}`);
  await expect(targetRow(page, "haproxy-1").getByText("In sync")).toBeVisible({ timeout: 30_000 });
  await context.close();
});

test("a change made while the page loads, before its live stream opens, still shows without a reload", async ({ browser }) => {
  const { haproxy } = await demoScopes();
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  // Hold the page's live stream back, as a slow network or a busy server would.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/api/v1/stream**", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`/config/${haproxy.key}`);
  const row = targetRow(page, "haproxy-1");
  await expect(row.getByText("In sync")).toBeVisible({ timeout: 20_000 });
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  // Drift starts while nobody listens for this page: its notice goes nowhere, and nothing else changes after.
  await appendFile(haproxyCfg, "# edited by hand while the page loaded\n");
  const api = await apiAs("ADMIN");
  type Target = { name: string; driftSince: string | null };
  const drifting = async () =>
    ((await (await api.get(`/api/v1/config/scopes/${haproxy.key}`)).json()).targets as Target[]).find((t) => t.name === "haproxy-1")?.driftSince !== null;
  await expect.poll(drifting, { timeout: 30_000 }).toBe(true);
  await expect(row.getByText("In sync")).toBeVisible();

  release();
  await expect(row.getByText("Drift")).toBeVisible({ timeout: 10_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // Put the file back for what follows.
  const lb = ((await (await api.get(`/api/v1/config/scopes/${haproxy.key}`)).json()).targets as { id: string; name: string }[]).find(
    (t) => t.name === "haproxy-1",
  )!;
  expect((await api.post(`/api/v1/config/targets/load-balancers/${lb.id}/reconcile`, { data: { reason: "e2e: undo the hand edit" } })).status()).toBe(202);
  await expect.poll(drifting, { timeout: 30_000 }).toBe(false);
  await api.dispose();
  await context.close();
});

test("a viewer reads the app settings with the password masked, and cannot change them", async ({ browser }) => {
  const { app } = await demoScopes();
  const admin = await apiAs("ADMIN");
  const full = await (await admin.get(`/api/v1/config/scopes/${app.key}`)).json();
  const password = new URL(JSON.parse(full.revisions[0].content).database.url).password;
  expect(password.length).toBeGreaterThan(0);
  await admin.dispose();

  const viewerApi = await apiAs("VIEWER");
  const masked = await (await viewerApi.get(`/api/v1/config/scopes/${app.key}`)).text();
  expect(masked).not.toContain(password);
  expect(masked).toContain("••••••");
  const deploy = await viewerApi.post(`/api/v1/config/revisions/${full.revisions[0].id}/deploy`, { data: { reason: "x" } });
  expect(deploy.status()).toBe(403);
  await viewerApi.dispose();

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto(`/config/${app.key}`);
  await expect(page.getByRole("heading", { name: "App node settings" })).toBeVisible();
  await expect(page.getByText("Secrets are masked for your role.")).toBeVisible();
  await expect(page.getByRole("link", { name: "New revision" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Deploy" })).toHaveCount(0);
  await page.locator("[data-testid^=revision-]").last().getByRole("button", { name: "Diff" }).click();
  const diff = page.getByRole("dialog");
  await expect(diff).toContainText("••••••");
  await expect(diff).not.toContainText(password);
  await page.goto(`/config/${app.key}/edit`);
  await expect(page).toHaveURL(/\/forbidden/);
  await context.close();
});
