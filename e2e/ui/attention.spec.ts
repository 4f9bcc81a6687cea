// Protects (issue 16, "done when"): a staged incident on the demo. An app node
// is killed and another's agent hangs; the dashboard's "Needs attention" names
// both, each with its own state, within the thresholds' time: under a second
// after detection for a crash (the worker's health event), about 5 s for a
// hang (heartbeat timeout 3.5 s + the fall threshold). Both are resumed and
// seen UP again, so the specs after this one find the demo as it was.
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { controlRequest } from "@/demo/control";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

const demoDir = path.join(E2E.dataDir, "demo");

test.describe.configure({ timeout: 120_000 });

type DemoNode = { id: string; name: string; health: string; cluster: { name: string } };

async function demoNodes(): Promise<DemoNode[]> {
  const api = await apiAs("VIEWER");
  const page = await (await api.get("/api/v1/nodes?q=app-&pageSize=50")).json();
  await api.dispose();
  return (page.items as DemoNode[]).filter((n) => n.cluster.name === "demo");
}

const health = async (name: string) => (await demoNodes()).find((n) => n.name === name)?.health;

/** The dashboard's item whose link names this node. */
const itemOf = (page: Page, name: string): Locator =>
  page.getByTestId("attention-item").filter({ has: page.getByRole("link", { name: new RegExp(`\\b${name}\\b`) }) });

/** When the dashboard first lists an item naming this node (polled every frame, so the figure is the page's, not the poll's). */
async function shownAt(page: Page, name: string, timeout: number): Promise<number> {
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid="attention-item"] a')].some((a) => new RegExp(`\\b${n}\\b`).test(a.textContent ?? "")),
    name,
    { polling: "raf", timeout },
  );
  return Date.now();
}

/**
 * When the worker recorded the node leaving UP (its detection: health.down for the crash,
 * health.unreachable for the hung agent), in ms since the epoch.
 */
async function detectedAt(nodeId: string, after: number): Promise<number | null> {
  const api = await apiAs("VIEWER");
  const events = await (await api.get(`/api/v1/events?subjectType=NODE&subjectId=${nodeId}&kind=health.&pageSize=10`)).json();
  await api.dispose();
  const at = (events.items as { at: string; kind: string }[])
    .filter((e) => e.kind !== "health.up" && e.kind !== "health.recovered")
    .map((e) => Date.parse(e.at))
    .filter((t) => t >= after - 1000);
  return at.length ? Math.min(...at) : null;
}

test("a killed node and a hung agent are both named on the dashboard, each with its state, within the thresholds' time", async ({ browser }) => {
  for (const name of ["app-1", "app-2"]) await expect.poll(() => health(name), { timeout: 60_000 }).toBe("UP");
  const nodes = await demoNodes();
  const killedNode = nodes.find((n) => n.name === "app-2")!;
  const hungNode = nodes.find((n) => n.name === "app-1")!;

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto("/dashboard");
  const attention = page.getByTestId("needs-attention");
  await expect(attention.getByRole("heading", { name: /Needs attention/ })).toBeVisible();
  await expect(itemOf(page, "app-1")).toHaveCount(0);
  await expect(itemOf(page, "app-2")).toHaveCount(0);

  const started = Date.now();
  try {
    expect((await controlRequest(demoDir, { verb: "kill", name: "app-2" })).status).toBe(200);
    expect((await controlRequest(demoDir, { verb: "hang", name: "agent:app-1" })).status).toBe(200);

    // The crash: detected within about a snapshot and the fall threshold; the hang: heartbeat timeout 3.5 s + the
    // fall threshold, about 5 s (10 s leaves the shared, loaded machine room; the figure is printed). Both watched at once.
    const [crashShown, hangShown] = await Promise.all([shownAt(page, "app-2", 5_000), shownAt(page, "app-1", 10_000)]);
    const [crashDetected, hangDetected] = await Promise.all([detectedAt(killedNode.id, started), detectedAt(hungNode.id, started)]);
    expect(crashDetected, "the worker recorded app-2 leaving UP").not.toBeNull();
    expect(hangDetected, "the worker recorded app-1 leaving UP").not.toBeNull();
    const crashAfterDetection = crashShown - crashDetected!;
    const hangAfterDetection = hangShown - hangDetected!;
    // On the page about a second after the worker's detection. The recorder stamps the event when the worker
    // queues the transition, so the figure also holds its database write and the NOTIFY: measured 0.9–1.1 s on
    // the shared two-core machine; 2 s leaves it room, and the figure is printed.
    expect(crashAfterDetection, "app-2 shown after the worker's detection (ms)").toBeLessThan(2_000);
    expect(hangAfterDetection, "app-1 shown after the worker's detection (ms)").toBeLessThan(2_000);

    // Each with its own state, in words.
    await expect(itemOf(page, "app-2").getByTestId("attention-state")).toHaveText("Down");
    const hungState = itemOf(page, "app-1").getByTestId("attention-state");
    // HAProxy's checks of app-1 still pass: its own state, not Down.
    await expect(hungState).toHaveText("Agent unreachable");

    const measured =
      `crash: shown ${crashShown - started} ms after the kill, ${crashAfterDetection} ms after detection; ` +
      `hang: shown ${hangShown - started} ms after the SIGSTOP, ${hangAfterDetection} ms after detection`;
    test.info().annotations.push({ type: "measured", description: measured });
    console.log(`[attention] ${measured}`);
  } finally {
    // Leave the demo as it was, whatever failed above.
    await controlRequest(demoDir, { verb: "resume", name: "agent:app-1" });
    await controlRequest(demoDir, { verb: "resume", name: "app-2" });
  }
  for (const name of ["app-1", "app-2"]) await expect.poll(() => health(name), { timeout: 30_000 }).toBe("UP");
  await expect(itemOf(page, "app-1")).toHaveCount(0, { timeout: 10_000 });
  await expect(itemOf(page, "app-2")).toHaveCount(0, { timeout: 10_000 });
  await context.close();
});

test("the navigation leads to the operations list, running first, then recent", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  await page.goto("/dashboard");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: /^Operations/ })
    .click();
  await expect(page).toHaveURL(/\/operations$/);
  await expect(page.getByRole("heading", { name: /Running and waiting/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent" })).toBeVisible();
  await context.close();
});
