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
//
// This file reads the flags and runs each size in turn; setup.ts builds and
// stops one size's platform, api.ts and dashboard.ts measure it, report.ts
// compares the sizes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { REPO, RESULT_OPTIONS } from "../common";
import { measureApi } from "./api";
import { measureDashboard } from "./dashboard";
import { report, type SizeResult } from "./report";
import { startStack } from "./setup";

type Options = { renders: number; updates: number; requests: number; windowS: number; settleMs: number };

/** One size from scratch: its own PostgreSQL, simulator and console, stopped before the next. */
async function measureSize(n: number, opts: Options): Promise<SizeResult> {
  const stack = await startStack(n, opts.settleMs);
  try {
    const api = await measureApi(stack, opts.requests);
    return { n, api, ...(await measureDashboard(stack, opts)) };
  } finally {
    await stack.stop();
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
  report(results, { sizes, ...opts }, values);
}

await main();
process.exit(0);
