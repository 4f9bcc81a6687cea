// Scale benchmark (issue 6): the console with 2,000 monitored nodes against
// the same console with 20, each number read side by side.
//
//   npm run bench -- scale [--sizes 20,2000] [--renders 7] [--updates 5]
//        [--requests 200] [--window 30] [--smoke] [--json PATH]
//
// Needs a build (`npm run build`) and Debian's chromium. --smoke: sizes 10
// and 30, one render, one update, 10 requests per endpoint, a 3 s window, 2 s
// of settling instead of 10 (flags given still win).
//
// For each size, from scratch (all on 127.0.0.1, all stopped at the end):
//   - a throwaway PostgreSQL, migrated; one cluster with N nodes, each with an
//     agent credential, and 15 minutes of 10 s samples per node already stored
//     (what a dashboard reads on a platform that has been running a while);
//   - the fleet simulator (lab/sim-fleet.ts): N agents speaking the real
//     protocol, one snapshot a second each;
//   - the real console, `clusterdeck start --no-build` (web + worker), as
//     production runs it; the worker monitors all N.
// Then, once every node is UP and fresh:
//   - list API: --requests sequential GETs per endpoint through an API token
//     (nodes at random pages of 50, a name search, summary, metrics, events):
//     p50 and p95;
//   - dashboard first render, in Debian's chromium, a fresh signed-in context
//     each time: from navigation until the tier counts show N nodes and every
//     node chart has drawn its lines (median of --renders);
//   - dashboard update: in one open dashboard, an agent starts reporting
//     DOWN; timed until the page shows it, from the worker's event
//     (console's part) and from the agent's change (end to end, which adds
//     the agent's snapshot phase and the fall threshold of two snapshots);
//     then back UP (median of --updates);
//   - responsiveness over --window s with that dashboard open and live: main
//     thread long tasks (sum) and the longest gap between frames;
//   - worker and web CPU (share of one core) and RSS over the same window.
// Target: first render and update at 2,000 at most 2× those at 20.
// The machine is shared and noisy: read medians and ratios. npm test runs it in smoke mode only.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { chromium, type Browser, type Page } from "@playwright/test";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { waitFor } from "@/agent/testing/client";
import pg from "pg";
import { query } from "@/lab/postgres";
import { cpuSeconds, f, median, quantile, RESULT_OPTIONS, rssMb, spawnWithNofile, table, writeResults, type Figure } from "./common";

const REPO = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ADMIN = { email: "admin@scale.bench", password: "scale-bench-password-1" };

// Ctrl-C (or a kill) must not leave a console, a simulator or a PostgreSQL behind.
let cleanup: (() => Promise<void>) | null = null;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130)));
}

type SizeResult = {
  n: number;
  api: Record<string, { p50: number; p95: number }>;
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

/** The process of a group (the console was started detached: its own group) whose command line matches. */
function findInGroup(pgid: number, match: (cmdline: string) => boolean): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === pgid && match(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "))) return Number(entry);
    } catch {}
  }
  return null;
}

type Options = { renders: number; updates: number; requests: number; windowS: number; settleMs: number };

async function measureSize(n: number, opts: Options): Promise<SizeResult> {
  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const { sealSecret } = await import("@/lib/agents/secret-box");
  const { freePort } = await import("@/lab/ports");
  const tmp = mkdtempSync(path.join(os.tmpdir(), `bench-scale-${n}-`));
  const started: ChildProcess[] = [];
  const pgServer = await startTestPostgres();
  let browser: Browser | undefined;
  const stopEverything = async () => {
    cleanup = null;
    await browser?.close().catch(() => {});
    for (const child of [...started].reverse()) {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    }
    await sleep(3000);
    for (const child of started) child.kill("SIGKILL");
    await pgServer.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  };
  cleanup = stopEverything;
  try {
    await applyMigrations({ databaseUrl: pgServer.url, migrationsDir: path.join(REPO, "prisma/migrations") });
    const consoleSecret = randomBytes(36).toString("base64url");
    const keys = Array.from({ length: n }, () => generateAgentSecret());

    // Simulator first: it picks its ports, the inventory points at them.
    const simFile = path.join(tmp, "sim.json");
    writeFileSync(simFile, JSON.stringify({ agents: keys, basePort: 20_000, intervalMs: 1000, metricsToken: randomBytes(24).toString("base64url") }), {
      mode: 0o600,
    });
    const sim = spawnWithNofile(3 * n + 512, process.execPath, ["--import", "tsx", path.join(REPO, "lab/sim-fleet.ts"), simFile], {
      cwd: REPO,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    started.push(sim);
    const ports = await new Promise<number[]>((resolve, reject) => {
      sim.once("message", (m) => resolve((m as { ports: number[] }).ports));
      sim.once("exit", (code) => reject(new Error(`simulator exited (${code})`)));
    });

    const nodeIds = keys.map((_, i) => `scale-node-${String(i).padStart(5, "0")}`);
    const cluster = (
      await query<{ id: string }>(
        pgServer.url,
        `INSERT INTO "Cluster" ("id", "name", "description", "environment", "updatedAt") VALUES ('scale-cluster', 'scale', '', 'bench', now()) RETURNING "id"`,
      )
    )[0]!;
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    for (let i = 0; i < n; i += 500) {
      const slice = nodeIds.slice(i, i + 500);
      await client.query(
        `INSERT INTO "Node" ("id", "clusterId", "name", "host", "port", "agentUrl", "health", "updatedAt")
         SELECT id, $1, name, host, 8080, url, 'UP', now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, name, host, url)`,
        [
          cluster.id,
          slice,
          slice.map((_, j) => `sim-app-${String(i + j).padStart(5, "0")}`),
          slice.map((_, j) => `10.0.${((i + j) >> 8) & 255}.${(i + j) & 255}`),
          slice.map((_, j) => `http://127.0.0.1:${ports[i + j]}`),
        ],
      );
      await client.query(
        `INSERT INTO "AgentCredential" ("id", "keyId", "secretCiphertext", "nodeId") SELECT gen_random_uuid()::text, k, s, id FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, s, id)`,
        [slice.map((_, j) => keys[i + j]!.keyId), slice.map((_, j) => sealSecret(keys[i + j]!.secret, consoleSecret)), slice],
      );
    }
    // 15 minutes of history per node, as a worker would have stored it.
    await client.query(`
      INSERT INTO "HealthSample" ("subjectType", "subjectId", "at", "resolution", "health", "sessions", "requestRate", "latencyMs", "cpu", "memory")
      SELECT 'NODE', n."id", ts, 'RAW', 'UP', (100 + random() * 300)::int, 20 + random() * 30, 5 + random() * 20, random() * 0.5, 0.4 + random() * 0.1
      FROM "Node" n, generate_series((now() AT TIME ZONE 'UTC') - interval '15 minutes', (now() AT TIME ZONE 'UTC') - interval '10 seconds', interval '10 seconds') ts`);
    await client.end();

    // The console, as production runs it.
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATABASE_URL: pgServer.url,
      CLUSTERDECK_SECRET: consoleSecret,
      CLUSTERDECK_DATA_DIR: path.join(tmp, "console"),
      CLUSTERDECK_ADMIN_EMAIL: ADMIN.email,
      CLUSTERDECK_ADMIN_PASSWORD: ADMIN.password,
      NEXTAUTH_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    const consoleProc = spawnWithNofile(n + 1024, process.execPath, ["bin/clusterdeck.mjs", "start", "--no-build", "--port", String(port)], {
      cwd: REPO,
      env,
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    });
    started.push(consoleProc);
    await waitFor("the console", async () => (await fetch(`${baseURL}/api/v1/health`)).ok, 120_000, 500);
    await waitFor(
      `all ${n} nodes UP and fresh`,
      async () =>
        Number(
          (
            await query<{ c: string }>(pgServer.url, `SELECT count(*) AS c FROM "Node" WHERE "health" = 'UP' AND "lastSeenAt" > now() - interval '5 seconds'`)
          )[0]!.c,
        ) === n,
      180_000,
      1000,
    );
    await sleep(opts.settleMs);
    const holder = (await query<{ holder: string }>(pgServer.url, `SELECT "holder" FROM "WorkerLease" WHERE "name" = 'monitor'`))[0]!.holder;
    const workerPid = Number(holder.split(":")[1]);
    // The web process names itself "clusterdeck-web" (bin/front-server.mjs); the worker is the lease holder.
    const webPid = findInGroup(consoleProc.pid!, (cmd) => cmd.startsWith("clusterdeck-web") || /front-server\.mjs/.test(cmd));
    const token = JSON.parse(
      spawnSync(process.execPath, ["bin/clusterdeck.mjs", "tokens", "create", "--name", "bench", "--role", "ADMIN", "--owner", ADMIN.email, "--json"], {
        cwd: REPO,
        env,
        encoding: "utf8",
      }).stdout,
    ).token as string;

    // --- list API
    const headers = { authorization: `Bearer ${token}` };
    const pages = Math.max(1, Math.ceil(n / 50));
    const endpoints: Record<string, () => string> = {
      "nodes (random page of 50)": () => `/api/v1/nodes?page=${1 + Math.floor(Math.random() * pages)}&pageSize=50`,
      "nodes (name search)": () => `/api/v1/nodes?q=sim-app-${String(Math.floor(Math.random() * n)).padStart(5, "0")}`,
      summary: () => "/api/v1/summary",
      "metrics (nodes, 15 min)": () => "/api/v1/metrics?subjectType=NODE&range=15m",
      events: () => "/api/v1/events?pageSize=50",
    };
    const api: SizeResult["api"] = {};
    for (const [name, url] of Object.entries(endpoints)) {
      const times: number[] = [];
      for (let i = 0; i < opts.requests + 5; i++) {
        const t0 = performance.now();
        const res = await fetch(`${baseURL}${url()}`, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${url()}: HTTP ${res.status}`);
        if (i >= 5) times.push(performance.now() - t0); // 5 warm-up requests
      }
      api[name] = { p50: median(times), p95: quantile(times, 0.95) };
    }

    // --- dashboard first render
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    const login = await browser.newContext({ baseURL });
    const loginPage = await login.newPage();
    await loginPage.goto("/login");
    await loginPage.getByLabel("Email").fill(ADMIN.email);
    await loginPage.getByLabel("Password").fill(ADMIN.password);
    await loginPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await loginPage.waitForURL(/\/dashboard$/);
    const storageState = await login.storageState();
    await login.close();

    const chartsDrawn = (page: Page) =>
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
    const render: number[] = [];
    const ttfb: number[] = [];
    for (let r = 0; r < opts.renders + 1; r++) {
      const context = await browser.newContext({ baseURL, storageState });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto("/dashboard", { waitUntil: "commit" });
      await chartsDrawn(page);
      const ms = performance.now() - t0;
      const nav = await page.evaluate(() => (performance.getEntriesByType("navigation" as never)[0] as PerformanceNavigationTiming).responseStart);
      if (r > 0) {
        render.push(ms); // the first run warms the server's caches
        ttfb.push(nav);
      }
      await context.close();
    }

    // --- dashboard update
    const context = await browser.newContext({ baseURL, storageState });
    const page = await context.newPage();
    await page.goto("/dashboard");
    await chartsDrawn(page);
    await page.getByTestId("live-status").filter({ hasText: "Live" }).waitFor({ timeout: 15_000 });
    const showsDown = (down: boolean) =>
      page.waitForFunction(
        (want) => {
          const text = document.querySelector('[data-testid="tier-nodes"]')?.textContent?.toLowerCase() ?? "";
          return text.includes("down") === want ? Date.now() : false;
        },
        down,
        { polling: "raf", timeout: 30_000 },
      );
    const updateConsole: number[] = [];
    const updateEndToEnd: number[] = [];
    const recoverConsole: number[] = [];
    for (let u = 0; u < opts.updates; u++) {
      const index = (u * 7919) % n;
      const since = Date.now();
      sim.send({ type: "set-health", index, health: "DOWN" });
      const shownAt = Number(await (await showsDown(true)).jsonValue());
      const event = await waitFor(
        "the DOWN event",
        async () =>
          (
            await query<{ ms: number }>(
              pgServer.url,
              `SELECT (extract(epoch FROM "at") * 1000)::float8 AS ms FROM "Event" WHERE "subjectId" = $1 AND "kind" = 'health.down' ORDER BY "id" DESC LIMIT 1`,
              [nodeIds[index]],
            )
          )[0],
        10_000,
        100,
      );
      updateEndToEnd.push(shownAt - since);
      updateConsole.push(shownAt - event.ms);
      sim.send({ type: "set-health", index, health: "UP" });
      const recoveredAt = Number(await (await showsDown(false)).jsonValue());
      const up = await waitFor(
        "the recovery event",
        async () =>
          (
            await query<{ ms: number }>(
              pgServer.url,
              `SELECT (extract(epoch FROM "at") * 1000)::float8 AS ms FROM "Event" WHERE "subjectId" = $1 AND "kind" = 'health.recovered' ORDER BY "id" DESC LIMIT 1`,
              [nodeIds[index]],
            )
          )[0],
        10_000,
        100,
      );
      recoverConsole.push(recoveredAt - up.ms);
      await sleep(1000);
    }

    // --- responsiveness and process cost, with the live dashboard open
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
    for (let s = 0; s < opts.windowS; s++) {
      await sleep(1000);
      workerRss.push(rssMb(workerPid));
      if (webPid) webRss.push(rssMb(webPid));
    }
    const wall = (performance.now() - cpu0.t) / 1000;
    const { long, gaps } = (await page.evaluate("({ long: window.__long, gaps: window.__gaps })")) as { long: number[]; gaps: number[] };
    await context.close();
    return {
      n,
      api,
      render,
      ttfb,
      updateConsole,
      updateEndToEnd,
      recoverConsole,
      longTasksMs: long.reduce((a, b) => a + b, 0),
      maxFrameGapMs: Math.max(...gaps.slice(1)),
      worker: { cpu: (cpuSeconds(workerPid) - cpu0.worker) / wall, rssMedian: median(workerRss), rssMax: Math.max(...workerRss) },
      web: { cpu: webPid ? (cpuSeconds(webPid) - cpu0.web) / wall : NaN, rssMax: webRss.length ? Math.max(...webRss) : NaN },
    };
  } finally {
    await stopEverything();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string" },
      renders: { type: "string" },
      updates: { type: "string" },
      requests: { type: "string" },
      window: { type: "string" },
      ...RESULT_OPTIONS,
    },
  });
  const smoke = values.smoke;
  const sizes = (values.sizes ?? (smoke ? "10,30" : "20,2000")).split(",").map(Number);
  const opts: Options = {
    renders: Number(values.renders ?? (smoke ? 1 : 7)),
    updates: Number(values.updates ?? (smoke ? 1 : 5)),
    requests: Number(values.requests ?? (smoke ? 10 : 200)),
    windowS: Number(values.window ?? (smoke ? 3 : 30)),
    settleMs: smoke ? 2000 : 10_000,
  };
  if (!(sizes.length >= 2 && sizes.every((n) => n > 0) && Object.values(opts).every((v) => v > 0))) {
    throw new Error("--sizes takes two or more positive sizes (the first is the baseline); --renders, --updates, --requests and --window positive numbers");
  }
  if (!existsSync(path.join(REPO, ".next", "BUILD_ID"))) throw new Error("no production build (.next/BUILD_ID): run `npm run build` first");
  const rev = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).stdout.trim();
  console.log(
    `Clusterdeck scale benchmark: sizes ${sizes.join(", ")}; code ${rev}; host ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const results: SizeResult[] = [];
  for (const n of sizes) {
    console.log(`\n--- ${n} nodes`);
    const r = await measureSize(n, opts);
    results.push(r);
    console.log(JSON.stringify({ ...r, api: undefined }));
  }
  const [base, big] = [results[0]!, results[results.length - 1]!];
  const row = (label: string, a: number, b: number, unit = "ms") => [label, `${f(a, 1)} ${unit}`, `${f(b, 1)} ${unit}`, f(b / a, 2)];
  const rows: string[][] = [
    row("dashboard first render, median", median(base.render), median(big.render)),
    row("  of which time to first byte", median(base.ttfb), median(big.ttfb)),
    row("dashboard update (from the event), median", median(base.updateConsole), median(big.updateConsole)),
    row("dashboard update (end to end), median", median(base.updateEndToEnd), median(big.updateEndToEnd)),
    row("dashboard recovery shown (from the event)", median(base.recoverConsole), median(big.recoverConsole)),
    row(`long tasks over ${opts.windowS} s, sum`, base.longTasksMs, big.longTasksMs),
    row("longest gap between frames", base.maxFrameGapMs, big.maxFrameGapMs),
    ...Object.keys(base.api).flatMap((k) => [row(`API ${k} p50`, base.api[k]!.p50, big.api[k]!.p50), row(`API ${k} p95`, base.api[k]!.p95, big.api[k]!.p95)]),
    row("worker CPU (share of one core)", base.worker.cpu * 100, big.worker.cpu * 100, "%"),
    row("worker RSS median / max", base.worker.rssMedian, big.worker.rssMedian, "MB"),
    row("", base.worker.rssMax, big.worker.rssMax, "MB"),
    row("web CPU (one live dashboard open)", base.web.cpu * 100, big.web.cpu * 100, "%"),
    row("web RSS max", base.web.rssMax, big.web.rssMax, "MB"),
  ];
  console.log(`\n${table(["", `${base.n} nodes`, `${big.n} nodes`, "ratio"], rows)}`);
  const renderRatio = median(big.render) / median(base.render);
  const updateRatio = median(big.updateConsole) / median(base.updateConsole);
  console.log(
    `\nTarget (at most 2× slower at ${big.n}): first render ${f(renderRatio)}× → ${renderRatio <= 2 ? "MET" : "NOT MET"}; update ${f(updateRatio)}× → ${updateRatio <= 2 ? "MET" : "NOT MET"}`,
  );
  // Times only: long tasks, frame gaps and CPU may rightly be zero on a small fleet, so they go to extra.
  const figuresAt = (r: SizeResult): Figure[] => [
    { name: `dashboard first render at ${r.n}`, unit: "ms", values: r.render },
    { name: `time to first byte at ${r.n}`, unit: "ms", values: r.ttfb },
    { name: `dashboard update (from the event) at ${r.n}`, unit: "ms", values: r.updateConsole },
    { name: `dashboard update (end to end) at ${r.n}`, unit: "ms", values: r.updateEndToEnd },
    { name: `dashboard recovery shown (from the event) at ${r.n}`, unit: "ms", values: r.recoverConsole },
    ...Object.entries(r.api).flatMap(([k, v]) => [
      { name: `API ${k} p50 at ${r.n}`, unit: "ms", values: [v.p50] },
      { name: `API ${k} p95 at ${r.n}`, unit: "ms", values: [v.p95] },
    ]),
  ];
  const [bigRender, ...bigRest] = figuresAt(big);
  const [baseRender, ...baseRest] = figuresAt(base);
  writeResults(
    {
      name: "scale",
      params: { sizes, ...opts },
      figures: [bigRender!, baseRender!, ...bigRest, ...baseRest, ...results.slice(1, -1).flatMap(figuresAt)],
      baseline: baseRender!,
      ratio: renderRatio,
      ratioOf: `first render at ${big.n} / at ${base.n}, of the medians`,
      extra: {
        updateRatio,
        perSize: results.map((r) => ({ n: r.n, longTasksMs: r.longTasksMs, maxFrameGapMs: r.maxFrameGapMs, worker: r.worker, web: r.web })),
      },
    },
    values,
  );
}

await main();
process.exit(0);
