// Protects: replication as the demo's agents observe it reaches the pages.
// The primary's page lists its standby (tied to the inventory member, state
// streaming, a lag figure) and its WAL archiving; the databases list shows the
// replica's observed state and lag, written by the worker; the cluster page
// states the failover time after a partition, from wal_receiver_timeout as the
// replica runs it (the demo deploys none: PostgreSQL's 60 s). Whichever member is
// primary when this runs (another spec may have promoted the replica).
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs } from "../helpers";

test.describe.configure({ timeout: 90_000 });

type Db = { id: string; name: string; role: string; replicationState: string; lagBytes: string | null; cluster: { id: string; name: string } };

test("the primary's page lists its streaming standby and archiving; the list shows the replica's lag", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  let members: Db[] = [];
  // The worker writes the observed state within seconds of the agents' first reports.
  await expect
    .poll(
      async () => {
        const page = await (await api.get("/api/v1/databases?pageSize=50")).json();
        members = page.items.filter((d: Db) => d.cluster.name === "demo");
        return members.find((d) => d.role === "REPLICA")?.replicationState;
      },
      { timeout: 60_000 },
    )
    .toBe("STREAMING");
  await api.dispose();
  const primary = members.find((d) => d.role === "PRIMARY")!;
  const replica = members.find((d) => d.role === "REPLICA")!;
  expect(replica.lagBytes).not.toBeNull();

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto(`/databases/${primary.id}`);
  const standbys = page.getByRole("table", { name: "Standbys" });
  const row = standbys.getByRole("row").filter({ has: page.getByRole("link", { name: replica.name, exact: true }) });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await expect(row.getByText("Streaming", { exact: true })).toBeVisible();
  await expect(row).toContainText(/\d+(\.\d)? (B|KiB|MiB)/);
  await expect(page.getByTestId("archive-status")).toContainText("Archiving off");

  await page.goto("/databases?q=pg-");
  const listed = page.getByRole("row").filter({ has: page.getByRole("link", { name: replica.name, exact: true }) });
  await expect(listed.getByText("Streaming", { exact: true })).toBeVisible();
  // The Lag column: a figure, not "—".
  await expect(listed.getByRole("cell").nth(5)).toHaveText(/^\d+(\.\d)? (B|KiB|MiB)$/);

  await page.goto(`/clusters/${replica.cluster.id}`);
  await expect(page.getByTestId("partition-worst-case")).toHaveText("at worst 63 s (wal_receiver_timeout 60 s + 3 s)");
  await context.close();
});

// Protects: each member's page shows what means something for its role. A
// replica: its WAL receiver streaming, the primary it follows (linked), its
// timeline and replay lag in bytes and seconds, lag charts; no slots or
// archiving of its own (the demo's replica has none). The primary: its
// standbys, slots and archiving, and no replication lag charts or figures.
test("a replica's page shows its WAL receiver and replay lag; the primary's shows no lag charts", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  let members: Db[] = [];
  await expect
    .poll(
      async () => {
        const page = await (await api.get("/api/v1/databases?pageSize=50")).json();
        members = page.items.filter((d: Db) => d.cluster.name === "demo");
        return members.find((d) => d.role === "REPLICA")?.replicationState;
      },
      { timeout: 60_000 },
    )
    .toBe("STREAMING");
  await api.dispose();
  const primary = members.find((d) => d.role === "PRIMARY")!;
  const replica = members.find((d) => d.role === "REPLICA")!;

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto(`/databases/${replica.id}`);
  const receiver = page.getByTestId("wal-receiver");
  await expect(receiver.getByText("Streaming", { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(receiver.getByRole("link", { name: primary.name, exact: true })).toHaveAttribute("href", `/databases/${primary.id}`);
  await expect(page.getByTestId("replay-lag")).toHaveText(/^\d+(\.\d)? (B|KiB|MiB) · (\d+(\.\d+)? s|—)$/);
  await expect(page.getByRole("heading", { name: "Replication slots" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "WAL archiving" })).toHaveCount(0);
  await expect(page.getByText("Replication lag (bytes)", { exact: true })).toBeVisible();

  await page.goto(`/databases/${primary.id}`);
  await expect(page.getByRole("table", { name: "Standbys" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { name: "Replication slots" })).toBeVisible();
  await expect(page.getByTestId("wal-receiver")).toHaveCount(0);
  await expect(page.getByText("Replication lag (bytes)", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("subject-live").locator("dt", { hasText: /^Lag/ })).toHaveCount(0);
  await context.close();
});

// Protects: the cluster page's synchronous replication editor. The demo starts
// unmanaged (the page says so, with the primary's value); an admin sets sync
// with a reason and the page shows it, the worker making the primary name its
// replica; a viewer sees the mode and no editor. Set back to async after, so
// later specs' commits never wait for a standby.
test("an admin sets synchronous replication on the cluster page, with a reason; a viewer sees no editor", async ({ browser }) => {
  const admin = await apiAs("ADMIN");
  const cluster = (await (await admin.get("/api/v1/clusters?q=demo")).json()).items.find((c: { name: string }) => c.name === "demo") as { id: string };
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  await page.goto(`/clusters/${cluster.id}`);
  const shown = page.getByTestId("replication-mode");
  await expect(shown).toHaveText("Not managed by Clusterdeck: synchronous_standby_names on the primary is empty (asynchronous)");
  page.once("dialog", (d) => void d.accept("e2e: no acknowledged write lost"));
  await page.getByLabel("Replication mode").selectOption("SYNC");
  await page.getByLabel("When the last synchronous standby is lost").selectOption("WAIT");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(shown).toHaveText("one synchronous standby acknowledges every commit; without one: commits wait (no acknowledged write is lost)");
  const audit = (await (await admin.get("/api/v1/audit?action=cluster.replication-mode&pageSize=10")).json()).items as { reason: string }[];
  expect(audit.map((a) => a.reason)).toContain("e2e: no acknowledged write lost");
  // The worker applies it: the promotion check shows the replica as the synchronous standby.
  await expect
    .poll(
      async () => {
        const check = await (await admin.get(`/api/v1/clusters/${cluster.id}/promotion-check`)).json();
        return (check.members as { role: string; syncStandby: boolean }[]).some((m) => m.role === "REPLICA" && m.syncStandby);
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  await context.close();

  const viewer = await browser.newContext({ storageState: storageState("VIEWER") });
  const viewerPage = await viewer.newPage();
  await viewerPage.goto(`/clusters/${cluster.id}`);
  await expect(viewerPage.getByTestId("replication-mode")).toContainText("one synchronous standby acknowledges every commit");
  await expect(viewerPage.getByLabel("Replication mode")).toHaveCount(0);
  await viewer.close();

  const back = await admin.post(`/api/v1/clusters/${cluster.id}/replication-mode`, { data: { mode: "ASYNC", onLoss: "WAIT", reason: "e2e: back to async" } });
  expect(back.status()).toBe(200);
  await admin.dispose();
});
