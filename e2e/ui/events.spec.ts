// Protects: the events timeline — every role can open it and it says whether
// it is live; only roles with "events:acknowledge" get an Acknowledge button;
// an operator's acknowledgement (with a note) shows in the row at once.
//
// Events are written only by the worker (health transitions). This spec
// creates none itself: until the e2e run starts a worker with an agent that
// changes health, the tests that need an unacknowledged event skip and say so.
import { expect, test, type Browser } from "@playwright/test";
import { E2E, storageState, type E2ERole } from "../env";
import { apiAs } from "../helpers";

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
