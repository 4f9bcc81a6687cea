// Protects: an operator promotes the demo cluster's replica from its page,
// while the traffic generator writes through the app nodes. The dialog shows
// every member checked live before anything happens; the promotion follows
// live to the end; afterwards the inventory has the new primary and the old
// one, fenced and stopped in order, rejoined as its replica without a rebuild;
// the apps still write (to the new primary, through the demo's PgBouncer, which
// the promotion paused and pointed there: their URL still names it), and no app
// failed a request during the switchover: four writers of the test's own
// POST through HAProxy back to back from before the click to the end, every
// write acknowledged and every acknowledged write on the new primary. Then the old primary is rebuilt
// by hand (a replica may always be) and streams again.
import path from "node:path";
import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { controlRequest } from "@/demo/control";
import { missingWrites, startWriteLoad } from "@/demo/write-load";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

test.describe.configure({ timeout: 120_000 });

test("an operator promotes the replica under write load and follows it live", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  type Db = { id: string; name: string; role: string; health: string; replicationState: string; fence: string; cluster: { name: string } };
  let replica: Db | undefined;
  await expect
    .poll(
      async () => {
        const page = await (await api.get("/api/v1/databases?pageSize=50")).json();
        replica = page.items.find((d: Db) => d.name === "pg-replica" && d.cluster.name === "demo");
        return replica?.health;
      },
      { timeout: 60_000 },
    )
    .toBe("UP");

  // The apps' own error counts (a 5xx to a client, a failed write among them), before and after.
  const apps = async () => {
    const status = await controlRequest(path.join(E2E.dataDir, "demo"), { verb: "status" });
    return (status.body.components as { name: string; kind: string; port: number | null }[]).filter((c) => c.kind === "app");
  };
  const errorsOf = async () =>
    Object.fromEntries(
      await Promise.all(
        (await apps()).map(async (a) => [a.name, ((await (await fetch(`http://127.0.0.1:${a.port}/stats`)).json()) as { errors: number }).errors]),
      ),
    );
  const errorsBefore = await errorsOf();
  const demoDir = path.join(E2E.dataDir, "demo");
  const { haproxyUrl } = JSON.parse(await readFile(path.join(demoDir, "state.json"), "utf8")) as { haproxyUrl: string };
  const load = startWriteLoad(haproxyUrl, 4);

  const context = await browser.newContext({ storageState: storageState("OPERATOR") });
  const page = await context.newPage();
  await page.goto(`/databases/${replica!.id}`);
  await page.getByRole("button", { name: "Promote" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("member-pg-primary")).toContainText("Primary");
  await expect(dialog.getByTestId("pooler-pgbouncer")).toContainText("paused through the switch");
  await expect(dialog.getByText("pg-replica is caught up and may be promoted.")).toBeVisible({ timeout: 15_000 });
  await dialog.getByLabel("Reason").fill("e2e: primary host failing");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();

  await expect(page).toHaveURL(/\/operations\//);
  await expect(page.getByRole("heading", { name: "Promotion of pg-replica" })).toBeVisible();
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await expect(page.getByText("fenced", { exact: true })).toBeVisible();
  await expect(page.getByText("caught-up", { exact: true })).toBeVisible();
  await expect(page.getByText("rejoined", { exact: true })).toBeVisible();
  await expect(page.getByText("held", { exact: true })).toBeVisible();
  await expect(page.getByText("released", { exact: true })).toBeVisible();
  await expect(page.getByText("paused", { exact: true })).toBeVisible();
  await expect(page.getByText("retargeted", { exact: true })).toBeVisible();
  await load.stop();
  expect(load.failed(), "writes failed during the switchover").toBe(0);
  // Enough writes to have crossed the switch: the held ones among them.
  expect(load.acked.size).toBeGreaterThan(50);
  expect(await errorsOf(), "requests the apps failed during the switchover").toEqual(errorsBefore);

  const after = await (await api.get("/api/v1/databases?pageSize=50")).json();
  const byName = (n: string) => after.items.find((d: Db) => d.name === n && d.cluster.name === "demo") as Db;
  expect(byName("pg-replica").role).toBe("PRIMARY");
  expect(byName("pg-primary")).toMatchObject({ role: "REPLICA", fence: "NONE" });
  // Every demo app still names the pooler, and the pooler now runs its entry on the new primary, not paused.
  const status = await controlRequest(path.join(E2E.dataDir, "demo"), { verb: "status" });
  const components = status.body.components as { name: string; kind: string; port: number | null }[];
  const newPrimaryPort = components.find((c) => c.name === "pg-replica")!.port!;
  const poolerPort = components.find((c) => c.name === "pgbouncer")!.port!;
  expect(await missingWrites(demoDir, newPrimaryPort, load.acked), "acknowledged writes missing on the new primary").toEqual([]);
  for (const app of components.filter((c) => c.kind === "app")) {
    const stats = (await (await fetch(`http://127.0.0.1:${app.port}/stats`)).json()) as { db: string };
    expect(stats.db, app.name).toContain(`:${poolerPort}/`);
  }
  type Pooler = { id: string; name: string; cluster: { name: string } };
  const pooler = (await (await api.get("/api/v1/poolers?pageSize=50")).json()).items.find(
    (p: Pooler) => p.name === "pgbouncer" && p.cluster.name === "demo",
  ) as Pooler;
  await page.goto("/poolers");
  const row = page.getByTestId(`pooler-${pooler.id}`);
  await expect(row).toContainText(`app → 127.0.0.1:${newPrimaryPort}`, { timeout: 15_000 });
  await expect(row).not.toContainText(/paused/i);

  // A rebuild by hand of the rejoined replica: stopped, it follows again as it is.
  await page.goto(`/databases/${byName("pg-primary").id}`);
  page.once("dialog", (d) => void d.accept("e2e: bring it back as a replica"));
  await page.getByRole("button", { name: "Rebuild" }).click();
  await expect(page.getByRole("heading", { name: "Rebuild of pg-primary" })).toBeVisible();
  await expect(page.getByText("Succeeded").first()).toBeVisible({ timeout: 90_000 });
  const rebuilt = (await (await api.get("/api/v1/databases?pageSize=50")).json()).items.find(
    (d: Db) => d.name === "pg-primary" && d.cluster.name === "demo",
  ) as Db;
  expect(rebuilt).toMatchObject({ role: "REPLICA", fence: "NONE", replicationState: "STREAMING" });
  await api.dispose();
  await context.close();
});
