// Protects: the events timeline — every role can open it and it says whether
// it is live; only roles with "events:acknowledge" get an Acknowledge button;
// an operator's acknowledgement (with a note) shows in the row at once.
// Bulk: an operator selects two events and acknowledges them in one request;
// the unacknowledged CRITICAL count in another tab's navigation and title goes
// down live; a viewer gets no checkboxes. Subjects are shown by name; a
// multi-line message shows its first line and opens with the keyboard; no
// serious axe violation on the page.
//
// Events are written only by the worker (health transitions). This spec
// creates none itself: until the e2e run starts a worker with an agent that
// changes health, the tests that need an unacknowledged event skip and say so.
import { createRequire } from "node:module";
import { expect, test, type Browser, type Page } from "@playwright/test";
import type { AxeResults } from "axe-core";
import { E2E, storageState, type E2ERole } from "../env";
import { apiAs, consoleDatabase, uniqueName } from "../helpers";

const axeScript = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

type EventRow = { id: string; message: string; acknowledgedAt: string | null };

const NO_EVENT =
  "No unacknowledged event in this database: events are written only by the worker (health transitions), and this e2e run starts none. Wire the worker and an agent into e2e to run this test.";

/** The newest unacknowledged event, through the API (the same list the page reads). */
async function newestUnacknowledged(): Promise<EventRow | null> {
  const api = await apiAs("OPERATOR");
  try {
    const res = await api.get("/api/v1/events?acknowledged=false&pageSize=1");
    expect(res.status()).toBe(200);
    const page = (await res.json()) as { items: EventRow[] };
    return page.items[0] ?? null;
  } finally {
    await api.dispose();
  }
}

async function pageAs(browser: Browser, role: E2ERole, path: string) {
  const context = await browser.newContext({ storageState: storageState(role) });
  const page = await context.newPage();
  await page.goto(path);
  return { page, context };
}

test("every role can open the timeline, which says whether it is live", async ({ browser }) => {
  const { page, context } = await pageAs(browser, "VIEWER", "/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
  await expect(page.getByTestId("live-status")).toHaveText("Live", { timeout: 10_000 });
  await expect(page.getByTestId("events-table")).toBeVisible();
  // Filters go into the URL, so the view can be shared as a link.
  await page.getByLabel("Severity").selectOption("CRITICAL");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/severity=CRITICAL/);
  await expect(page.getByLabel("Severity")).toHaveValue("CRITICAL");
  await context.close();
});

test("a viewer sees no Acknowledge button", async ({ browser }) => {
  const event = await newestUnacknowledged();
  test.skip(!event, NO_EVENT);
  const { page, context } = await pageAs(browser, "VIEWER", "/events?acknowledged=false");
  const row = page.locator(`[data-event-id="${event!.id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText("Not yet");
  await expect(page.getByRole("button", { name: /Acknowledge/ })).toHaveCount(0);
  await context.close();
});

test("an operator acknowledges an event with a note, and the row shows it", async ({ browser }) => {
  const event = await newestUnacknowledged();
  test.skip(!event, NO_EVENT);
  const { page, context } = await pageAs(browser, "OPERATOR", "/events?acknowledged=false");
  const row = page.locator(`[data-event-id="${event!.id}"]`);
  await row.getByRole("button", { name: /^Acknowledge/ }).click();

  const dialog = page.getByRole("dialog", { name: "Acknowledge event" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Note (optional)").fill("Looking into it <e2e>");
  await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();
  await expect(dialog).toBeHidden();

  // The list is filtered to unacknowledged events, so open the full one to see the row.
  await page.goto("/events");
  const acked = page.locator(`[data-event-id="${event!.id}"]`).getByTestId("acknowledged");
  await expect(acked).toContainText("UTC");
  await expect(acked).toContainText(`by you (${E2E.users.OPERATOR.email})`);

  // The note went to the audit trail, as text.
  const api = await apiAs("ADMIN");
  const audit = await (await api.get("/api/v1/audit?action=event.acknowledge&pageSize=5")).json();
  expect(audit.items.map((e: { reason: string | null }) => e.reason)).toContain("Looking into it <e2e>");
  await api.dispose();
  await context.close();
});

// ---------------------------------------------------------------- planted events
// These specs need events they control: rows are planted in the console's own
// database, as the worker writes them (the acknowledgement, the count and the
// live stream under test are the real ones).

async function demoNode(): Promise<{ id: string; name: string; clusterId: string }> {
  const api = await apiAs("VIEWER");
  try {
    const page = (await (await api.get("/api/v1/nodes?pageSize=50")).json()) as { items: { id: string; name: string; cluster: { id: string } }[] };
    const node = page.items[0]!;
    return { id: node.id, name: node.name, clusterId: node.cluster.id };
  } finally {
    await api.dispose();
  }
}

async function plantEvents(rows: { severity: "CRITICAL" | "WARNING" | "INFO"; message: string }[]): Promise<string[]> {
  const node = await demoNode();
  const db = await consoleDatabase();
  try {
    const ids: string[] = [];
    for (const r of rows) {
      const res = await db.query<{ id: string }>(
        `INSERT INTO "Event" ("kind", "severity", "subjectType", "subjectId", "clusterId", "message", "data") VALUES ('e2e.planted', $1, 'NODE', $2, $3, $4, $5) RETURNING "id"::text`,
        [r.severity, node.id, node.clusterId, r.message, JSON.stringify({ name: node.name })],
      );
      ids.push(res.rows[0]!.id);
    }
    return ids;
  } finally {
    await db.end();
  }
}

async function openCritical(): Promise<number> {
  const api = await apiAs("VIEWER");
  try {
    return ((await (await api.get("/api/v1/events?severity=CRITICAL&acknowledged=false&pageSize=1")).json()) as { total: number }).total;
  } finally {
    await api.dispose();
  }
}

/**
 * The count beside Events in the navigation and the title's prefix say what
 * the API says (neither shows at 0). Polled until they agree: the demo's
 * worker may raise a CRITICAL event at any moment, and the page must follow.
 */
async function expectCountAsApi(page: Page): Promise<number> {
  const badge = page.getByRole("navigation", { name: "Main" }).getByTestId("critical-count");
  const shown = async () => {
    const text = (await badge.count()) ? await badge.textContent() : "0";
    const title = /^\((\d+)\) /.exec(await page.title())?.[1] ?? "0";
    return { badge: Number.parseInt(text ?? "", 10), title: Number(title) };
  };
  let api = 0;
  await expect
    .poll(
      async () => {
        api = await openCritical();
        const now = await shown();
        return `badge ${now.badge}, title ${now.title}, API ${api}: ${now.badge === api && now.title === api ? "agree" : "differ"}`;
      },
      { timeout: 10_000 },
    )
    .toMatch(/agree$/);
  return api;
}

test("an operator acknowledges two events at once; the CRITICAL count in another tab goes down live", async ({ browser }) => {
  const tag = uniqueName("bulk");
  const ids = await plantEvents([
    { severity: "CRITICAL", message: `${tag} first: web node down` },
    { severity: "CRITICAL", message: `${tag} second: web node down` },
  ]);
  // Another tab, another role: a viewer's dashboard shows the count and its title says it.
  const watcher = await pageAs(browser, "VIEWER", "/dashboard");
  await expect(watcher.page.getByTestId("live-status")).toHaveText("Live", { timeout: 10_000 });
  expect(await expectCountAsApi(watcher.page)).toBeGreaterThanOrEqual(2);

  const { page, context } = await pageAs(browser, "OPERATOR", `/events?q=${tag}`);
  const rows = page.getByTestId("event-row");
  await expect(rows).toHaveCount(2);
  const node = await demoNode();
  // The subject by its name, never its id.
  await expect(rows.first().getByRole("link", { name: node.name, exact: true })).toBeVisible();
  await expect(rows.first()).not.toContainText(node.id);

  await page.getByRole("checkbox", { name: "Select all shown unacknowledged events" }).check();
  await expect(page.getByTestId("select-event").nth(0)).toBeChecked();
  await expect(page.getByTestId("select-event").nth(1)).toBeChecked();
  await page.getByRole("button", { name: "Acknowledge selected (2)" }).click();
  const dialog = page.getByRole("dialog", { name: "Acknowledge events" });
  await dialog.getByLabel("Note (optional)").fill(`${tag}: paged, on it`);
  await dialog.getByRole("button", { name: "Acknowledge 2", exact: true }).click();
  await expect(dialog).toBeHidden();
  for (const id of ids) await expect(page.locator(`[data-event-id="${id}"]`).getByTestId("acknowledged")).toContainText(`by you (${E2E.users.OPERATOR.email})`);

  // Live, without a reload: both tabs' counts and titles follow (the API no longer counts the two).
  await expectCountAsApi(watcher.page);
  await expectCountAsApi(page);

  // One request, one audit entry with the count.
  const api = await apiAs("ADMIN");
  const audit = (await (await api.get("/api/v1/audit?action=event.acknowledge-bulk&pageSize=20")).json()) as {
    items: { reason: string | null; summary: { count: number } }[];
  };
  const entries = audit.items.filter((a) => a.reason === `${tag}: paged, on it`);
  expect(entries).toHaveLength(1);
  expect(entries[0]!.summary.count).toBe(2);
  await api.dispose();
  await watcher.context.close();
  await context.close();
});

test("a viewer sees no checkboxes and no bulk action", async ({ browser }) => {
  const tag = uniqueName("viewer");
  await plantEvents([{ severity: "WARNING", message: `${tag}: unacknowledged` }]);
  const { page, context } = await pageAs(browser, "VIEWER", `/events?q=${tag}`);
  await expect(page.getByTestId("event-row")).toHaveCount(1);
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Acknowledge/ })).toHaveCount(0);
  await context.close();
});

test("a multi-line message shows its first line and opens with the keyboard; no serious axe violation", async ({ browser }) => {
  const tag = uniqueName("folded");
  const [id] = await plantEvents([
    {
      severity: "CRITICAL",
      message: `${tag}: pg_rewind failed\npg_rewind: servers diverged at WAL location 0/3000060 on timeline 1\npg_rewind: error: could not find common ancestor`,
    },
  ]);
  // bypassCSP: only so that the axe scan can be injected.
  const context = await browser.newContext({ storageState: storageState("OPERATOR"), bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`/events?q=${tag}`);
  const row = page.locator(`[data-event-id="${id}"]`);
  const folded = row.getByTestId("folded");
  await expect(folded.locator("summary")).toContainText(`${tag}: pg_rewind failed`);
  await expect(folded.getByText("could not find common ancestor")).toBeHidden();
  await folded.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(folded).toHaveAttribute("open", "");
  await expect(folded.getByText("could not find common ancestor")).toBeVisible();

  await page.addScriptTag({ path: axeScript });
  const axe = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  await context.close();
});

test("a multi-line operation step (a tool's output) shows its first line and opens with the keyboard", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  const dbs = (await (await api.get("/api/v1/databases?pageSize=50")).json()) as { items: { id: string; name: string; role: string }[] };
  await api.dispose();
  const replica = dbs.items.find((d) => d.role === "REPLICA")!;
  const primary = dbs.items.find((d) => d.role === "PRIMARY")!;
  const id = uniqueName("e2eop").replaceAll("-", "");
  const at = new Date().toISOString();
  const steps = [
    { at, step: "requested", detail: `rebuild ${replica.name} as a replica of ${primary.name}` },
    {
      at,
      step: "failed",
      detail:
        "pg_rewind failed\npg_rewind: servers diverged at WAL location 0/3000060 on timeline 1\npg_rewind: error: could not find common ancestor of the source and target cluster's timelines",
    },
  ];
  // A finished operation as the worker leaves one: planted, so the page under test shows a real tool's output.
  const db = await consoleDatabase();
  try {
    await db.query(
      `INSERT INTO "Operation" ("id", "kind", "state", "subjectType", "subjectId", "reason", "params", "steps", "error", "startedAt", "finishedAt", "updatedAt")
       VALUES ($1, 'db.rebuild', 'FAILED', 'DATABASE', $2, 'e2e', $3, $4, 'pg_rewind failed', now(), now(), now())`,
      [id, replica.id, JSON.stringify({ v: 1, memberName: replica.name, primaryId: primary.id, primaryName: primary.name }), JSON.stringify(steps)],
    );
  } finally {
    await db.end();
  }
  const { page, context } = await pageAs(browser, "VIEWER", `/operations/${id}`);
  const folded = page.getByRole("listitem").filter({ hasText: "pg_rewind failed" }).getByTestId("folded");
  await expect(folded.locator("summary")).toContainText("pg_rewind failed");
  await expect(folded.getByText("could not find common ancestor", { exact: false })).toBeHidden();
  await folded.locator("summary").focus();
  await page.keyboard.press("Space");
  await expect(folded).toHaveAttribute("open", "");
  await expect(folded.getByText("could not find common ancestor", { exact: false })).toBeVisible();
  await context.close();
});
