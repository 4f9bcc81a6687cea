// The dashboard at one size, in Debian's chromium, as an operator sees it:
// first render (fresh signed-in context each time), how soon a node going
// DOWN and back UP shows in an open dashboard, and a live window with the
// page open: main-thread long tasks, the longest gap between frames, and what
// the worker and the web process cost meanwhile (CPU and RSS from /proc).
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { cpuSeconds, median, rssMb } from "../common";
import { ADMIN, type Stack } from "./setup";

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

export type DashboardResult = {
  render: number[];
  ttfb: number[];
  updateConsole: number[];
  updateEndToEnd: number[];
  recoverConsole: number[];
  longTasksMs: number;
  maxFrameGapMs: number;
  worker: { cpu: number; rssMedian: number; rssMax: number };
  web: { cpu: number; rssMax: number };
};

/** Until the tier counts show all n nodes and every node chart has drawn its lines. */
const chartsDrawn = (page: Page, n: number) =>
  page.waitForFunction(
    (total) => {
      const tier = document.querySelector('[data-testid="tier-nodes"] .stat');
      const charts = [...document.querySelectorAll('figure[data-testid="chart"]')];
      const drawn = charts.filter((c) => c.querySelector("path.recharts-curve"));
      return tier?.textContent === String(total) && drawn.length >= 5;
    },
    n,
    { polling: "raf", timeout: 60_000 },
  );

async function signIn(browser: Browser, baseURL: string): Promise<StorageState> {
  const login = await browser.newContext({ baseURL });
  const loginPage = await login.newPage();
  await loginPage.goto("/login");
  await loginPage.getByLabel("Email").fill(ADMIN.email);
  await loginPage.getByLabel("Password").fill(ADMIN.password);
  await loginPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await loginPage.waitForURL(/\/dashboard$/);
  const storageState = await login.storageState();
  await login.close();
  return storageState;
}

/** From navigation until the charts have drawn, `renders` times after one unmeasured run (it warms the server's caches). */
async function firstRender(browser: Browser, stack: Stack, storageState: StorageState, renders: number) {
  const render: number[] = [];
  const ttfb: number[] = [];
  for (let r = 0; r < renders + 1; r++) {
    const context = await browser.newContext({ baseURL: stack.baseURL, storageState });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto("/dashboard", { waitUntil: "commit" });
    await chartsDrawn(page, stack.n);
    const ms = performance.now() - t0;
    const nav = await page.evaluate(() => (performance.getEntriesByType("navigation" as never)[0] as PerformanceNavigationTiming).responseStart);
    if (r > 0) {
      render.push(ms);
      ttfb.push(nav);
    }
    await context.close();
  }
  return { render, ttfb };
}

/**
 * An agent starts reporting DOWN: timed until the open page shows it, from the
 * worker's event (the console's part) and from the agent's change (end to end);
 * then back UP, from the recovery event.
 */
async function updates(page: Page, { n, sim, nodeIds, databaseUrl }: Stack, count: number) {
  const showsDown = (down: boolean) =>
    page.waitForFunction(
      (want) => {
        const text = document.querySelector('[data-testid="tier-nodes"]')?.textContent?.toLowerCase() ?? "";
        return text.includes("down") === want ? Date.now() : false;
      },
      down,
      { polling: "raf", timeout: 30_000 },
    );
  const lastEvent = (what: string, nodeId: string, kind: string) =>
    waitFor(
      what,
      async () =>
        (
          await query<{ ms: number }>(
            databaseUrl,
            `SELECT (extract(epoch FROM "at") * 1000)::float8 AS ms FROM "Event" WHERE "subjectId" = $1 AND "kind" = $2 ORDER BY "id" DESC LIMIT 1`,
            [nodeId, kind],
          )
        )[0],
      10_000,
      100,
    );
  const updateConsole: number[] = [];
  const updateEndToEnd: number[] = [];
  const recoverConsole: number[] = [];
  for (let u = 0; u < count; u++) {
    const index = (u * 7919) % n;
    const since = Date.now();
    sim.send({ type: "set-health", index, health: "DOWN" });
    const shownAt = Number(await (await showsDown(true)).jsonValue());
    const event = await lastEvent("the DOWN event", nodeIds[index]!, "health.down");
    updateEndToEnd.push(shownAt - since);
    updateConsole.push(shownAt - event.ms);
    sim.send({ type: "set-health", index, health: "UP" });
    const recoveredAt = Number(await (await showsDown(false)).jsonValue());
    const up = await lastEvent("the recovery event", nodeIds[index]!, "health.recovered");
    recoverConsole.push(recoveredAt - up.ms);
    await sleep(1000);
  }
  return { updateConsole, updateEndToEnd, recoverConsole };
}

/** windowS seconds with the live dashboard open: the page's long tasks and frame gaps, the processes' CPU and RSS. */
async function liveWindow(page: Page, { workerPid, webPid }: Stack, windowS: number) {
  // As a string: tsx would wrap named functions in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__long = [];
    window.__gaps = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
    let last = performance.now();
    const frame = (t) => { window.__gaps.push(t - last); last = t; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })()`);
  const cpu0 = { worker: cpuSeconds(workerPid), web: webPid ? cpuSeconds(webPid) : NaN, t: performance.now() };
  const workerRss: number[] = [];
  const webRss: number[] = [];
  for (let s = 0; s < windowS; s++) {
    await sleep(1000);
    workerRss.push(rssMb(workerPid));
    if (webPid) webRss.push(rssMb(webPid));
  }
  const wall = (performance.now() - cpu0.t) / 1000;
  const { long, gaps } = (await page.evaluate("({ long: window.__long, gaps: window.__gaps })")) as { long: number[]; gaps: number[] };
  return {
    longTasksMs: long.reduce((a, b) => a + b, 0),
    maxFrameGapMs: Math.max(...gaps.slice(1)),
    worker: { cpu: (cpuSeconds(workerPid) - cpu0.worker) / wall, rssMedian: median(workerRss), rssMax: Math.max(...workerRss) },
    web: { cpu: webPid ? (cpuSeconds(webPid) - cpu0.web) / wall : NaN, rssMax: webRss.length ? Math.max(...webRss) : NaN },
  };
}

export async function measureDashboard(stack: Stack, opts: { renders: number; updates: number; windowS: number }): Promise<DashboardResult> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  stack.onStop(() => browser.close());
  const storageState = await signIn(browser, stack.baseURL);
  const { render, ttfb } = await firstRender(browser, stack, storageState, opts.renders);

  // One dashboard, open and live, for the updates and the live window.
  const context = await browser.newContext({ baseURL: stack.baseURL, storageState });
  const page = await context.newPage();
  await page.goto("/dashboard");
  await chartsDrawn(page, stack.n);
  await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor({ timeout: 15_000 });
  const changes = await updates(page, stack, opts.updates);
  const live = await liveWindow(page, stack, opts.windowS);
  await context.close();
  return { render, ttfb, ...changes, ...live };
}
