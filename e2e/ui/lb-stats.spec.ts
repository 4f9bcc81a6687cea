// Protects: the load balancer page tells the truth about HAProxy under the demo's
// keep-alive traffic (`--rps 5`). Its request rates are checked against HAProxy's own
// counters, read here straight from the demo HAProxy's admin socket: that is HAProxy
// itself, outside the chain under test (agent → worker → NOTIFY → SSE → page), so a
// mistake anywhere in that chain shows. The API's live snapshot would come through the
// same chain and could only agree with it. Also: a row per server HAProxy reports, each
// with its state in words, read-only for a viewer, and no serious axe violation.
import net from "node:net";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E, storageState } from "../env";
import { apiAs, seriousAxeViolations } from "../helpers";

const socketPath = path.join(E2E.dataDir, "demo", "haproxy", "admin.sock");

test.describe.configure({ timeout: 120_000 });

/** `show stat` from HAProxy's runtime API, as rows keyed by its header. */
function showStat(): Promise<Map<string, string>[]> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = net.connect(socketPath, () => socket.end("show stat\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [header, ...lines] = text.trim().split("\n");
      const names = header!.replace(/^# /, "").split(",");
      resolve(lines.filter((l) => l && !l.startsWith("#")).map((l) => new Map(l.split(",").map((v, i) => [names[i]!, v] as const))));
    });
  });
}

/** Requests HAProxy counted so far, over every row of a type (0 frontends, 1 backends). */
async function requestsCounted(): Promise<{ at: number; frontends: number; backends: number }> {
  const rows = await showStat();
  const sum = (type: string) => rows.filter((r) => r.get("type") === type).reduce((a, r) => a + Number(r.get("req_tot") || 0), 0);
  return { at: Date.now(), frontends: sum("0"), backends: sum("1") };
}

/** The page's live point time and rates, read in one go so they belong together. */
function pageRates(page: Page) {
  return page.evaluate(() => {
    const section = document.querySelector<HTMLElement>('[data-testid="haproxy-stats"]');
    const read = (id: string) =>
      [...document.querySelectorAll(`[data-testid="${id}"]`)].map((e) => {
        const m = /^([\d.,]+) req\/s$/.exec(e.textContent ?? "");
        return m ? Number(m[1]!.replaceAll(",", "")) : null;
      });
    return { at: Number(section?.dataset.reportedAt ?? 0), frontends: read("frontend-rate"), backends: read("backend-rate") };
  });
}

test("the load balancer page's servers and request rates match HAProxy's own counters", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  const lbs = await (await api.get("/api/v1/load-balancers?q=haproxy-1&pageSize=10")).json();
  const lb = lbs.items.find((x: { name: string; cluster: { name: string } }) => x.name === "haproxy-1" && x.cluster.name === "demo");
  await api.dispose();
  expect(lb, "the demo's load balancer").toBeTruthy();

  // bypassCSP: only so that the axe scan can be injected; the page itself is what it always is.
  const context = await browser.newContext({ storageState: storageState("VIEWER"), bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(`/load-balancers/${lb.id}`);
    const servers = page.getByRole("table", { name: "Back-end servers" });

    // Every server HAProxy reports has its row, with its state in words.
    const reported = (await showStat()).filter((r) => r.get("type") === "2");
    expect(reported.length).toBeGreaterThan(0);
    for (const r of reported) {
      const row = page.getByTestId(`lb-server-${r.get("pxname")}-${r.get("svname")}`);
      await expect(row.getByTestId("server-state")).toHaveText(
        /^(Up|Up, failing checks|Down|Down, recovering|Drained|Maintenance|No new traffic \(NOLB\)|Up, not checked)/,
        { timeout: 30_000 },
      );
      if (r.get("status") === "UP") await expect(row.getByTestId("server-state")).toContainText(/^Up/);
    }
    await expect(servers.getByRole("row")).toHaveCount(reported.length + 1);
    // A viewer reads; nothing on the table changes anything.
    await expect(page.getByTestId("haproxy-stats").getByRole("button")).toHaveCount(0);

    // Rates: once figures are there, follow ~16 live points and compare their mean with
    // HAProxy's counters' growth over the same time.
    await expect.poll(async () => (await pageRates(page)).frontends.some((r) => r !== null && r > 0), { timeout: 30_000 }).toBe(true);
    const before = await requestsCounted();
    const points = new Map<number, { frontends: number; backends: number }>();
    while (Date.now() - before.at < 16_000) {
      const p = await pageRates(page);
      if (p.at > before.at && p.frontends.every((r) => r !== null) && p.backends.every((r) => r !== null)) {
        const sum = (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);
        points.set(p.at, { frontends: sum(p.frontends), backends: sum(p.backends) });
      }
      await page.waitForTimeout(200);
    }
    const after = await requestsCounted();
    const seconds = (after.at - before.at) / 1000;
    const truth = { frontends: (after.frontends - before.frontends) / seconds, backends: (after.backends - before.backends) / seconds };
    const mean = (k: "frontends" | "backends") => [...points.values()].reduce((a, p) => a + p[k], 0) / points.size;
    const shown = { frontends: mean("frontends"), backends: mean("backends") };
    console.log("demo request rates, HAProxy counters vs page (req/s):", JSON.stringify({ truth, shown, points: points.size, seconds }));
    expect(points.size).toBeGreaterThanOrEqual(10);
    expect(truth.frontends).toBeGreaterThan(0);
    for (const k of ["frontends", "backends"] as const) {
      expect(Math.abs(shown[k] - truth[k]) / truth[k], `${k}: page ${shown[k]} vs HAProxy ${truth[k]}`).toBeLessThanOrEqual(0.1);
    }
    // The headline figure above the charts is the same requests figure, not the connection rate.
    const headline = page
      .getByTestId("subject-live")
      .locator("dl > div")
      .filter({ has: page.locator("dt", { hasText: /^Requests$/ }) });
    await expect(headline.locator("dd")).not.toHaveText(/^(0\/s|—)$/);

    expect(await seriousAxeViolations(page)).toEqual([]);
  } finally {
    await context.close();
  }
});
