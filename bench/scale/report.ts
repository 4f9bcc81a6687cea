// The scale benchmark's comparison: each figure at the smallest size next to
// the largest, their ratio, the target (first render and update at most 2×
// slower), and the JSON results (bench/common.ts writeResults).
import { f, median, table, writeResults, type Figure } from "../common";
import type { ApiTimes } from "./api";
import type { DashboardResult } from "./dashboard";

export type SizeResult = { n: number; api: ApiTimes } & DashboardResult;

/** Prints the table and the target, then writes the results (--json, else bench/results/). */
export function report(results: SizeResult[], params: Record<string, unknown> & { windowS: number }, options: { smoke?: boolean; json?: string }): void {
  const [base, big] = [results[0]!, results[results.length - 1]!];
  const row = (label: string, a: number, b: number, unit = "ms") => [label, `${f(a, 1)} ${unit}`, `${f(b, 1)} ${unit}`, f(b / a, 2)];
  const rows: string[][] = [
    row("dashboard first render, median", median(base.render), median(big.render)),
    row("  of which time to first byte", median(base.ttfb), median(big.ttfb)),
    row("dashboard update (from the event), median", median(base.updateConsole), median(big.updateConsole)),
    row("dashboard update (end to end), median", median(base.updateEndToEnd), median(big.updateEndToEnd)),
    row("dashboard recovery shown (from the event)", median(base.recoverConsole), median(big.recoverConsole)),
    row(`long tasks over ${params.windowS} s, sum`, base.longTasksMs, big.longTasksMs),
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
      params,
      figures: [bigRender!, baseRender!, ...bigRest, ...baseRest, ...results.slice(1, -1).flatMap(figuresAt)],
      baseline: baseRender!,
      ratio: renderRatio,
      ratioOf: `first render at ${big.n} / at ${base.n}, of the medians`,
      extra: {
        updateRatio,
        perSize: results.map((r) => ({ n: r.n, longTasksMs: r.longTasksMs, maxFrameGapMs: r.maxFrameGapMs, worker: r.worker, web: r.web })),
      },
    },
    options,
  );
}
