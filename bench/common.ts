// /proc readings, small statistics and the results file shared by the benchmarks (Linux only).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** The repository root (benchmarks run from it). */
export const REPO = path.resolve(import.meta.dirname, "..");

export const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

export function procStat(pid: number): { utime: number; stime: number; cutime: number; cstime: number; ppid: number; pgrp: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces and parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // f[0] is field 3 (state); pgrp is field 5 → f[2]; utime is field 14 → f[11].
    return { ppid: Number(f[1]), pgrp: Number(f[2]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  const s = procStat(pid);
  return s ? (s.utime + s.stime) / CLK_TCK : NaN;
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A process tree's CPU: the root's own and reaped children's time, plus its live children's. */
export function treeCpuSeconds(root: number): number {
  const rootStat = procStat(root);
  if (!rootStat) return NaN;
  let ticks = rootStat.utime + rootStat.stime + rootStat.cutime + rootStat.cstime;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s && s.ppid === root) ticks += s.utime + s.stime;
  }
  return ticks / CLK_TCK;
}

export function hostCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function nofileLimits(): { soft: number; hard: number } {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"))!;
  const [soft, hard] = line
    .replace("Max open files", "")
    .trim()
    .split(/\s+/)
    .map((x) => (x === "unlimited" ? Infinity : Number(x)));
  return { soft: soft!, hard: hard! };
}

/** Spawns with at least `need` file descriptors (soft limit raised via the shell when needed). */
export function spawnWithNofile(need: number, cmd: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const { soft, hard } = nofileLimits();
  if (soft >= need) return spawn(cmd, args, options);
  if (hard < need)
    throw new Error(`${path.basename(cmd)} needs ~${need} file descriptors but the hard limit is ${hard}: raise it (ulimit -Hn) or run fewer agents`);
  return spawn("/bin/sh", ["-c", `ulimit -n ${need} && exec "$0" "$@"`, cmd, ...args], options);
}

export function findPostmaster(port: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "postgres" && argv.includes("-p") && argv[argv.indexOf("-p") + 1] === String(port)) return Number(entry);
    } catch {}
  }
  return null;
}

export function otherProcesses(names: string[], mine: Set<number>): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || mine.has(Number(entry))) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (names.includes(comm)) out.push(`${comm}[${entry}]`);
    } catch {}
  }
  return out;
}

// ---------------------------------------------------------------------------
// Small statistics and formatting
// ---------------------------------------------------------------------------

export const median = (a: number[]) => {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const quantile = (a: number[], q: number) => {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN;
};
export const max = (a: number[]) => a.reduce((m, x) => (Number.isFinite(x) && x > m ? x : m), -Infinity);
export const min = (a: number[]) => a.reduce((m, x) => (Number.isFinite(x) && x < m ? x : m), Infinity);
export const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
export const pad = (s: string, w: number) => (s.length >= w ? s : " ".repeat(w - s.length) + s);

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : pad(c, widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------
// Results: every run writes its figures as JSON beside the text it prints
// ---------------------------------------------------------------------------

/** The options every benchmark takes: `--smoke` (one run at the smallest size) and `--json <path>`. */
export const RESULT_OPTIONS = { smoke: { type: "boolean", default: false }, json: { type: "string" } } as const;

/** One measured series: a duration, a rate, a CPU time… Every value must be a real measurement (> 0). */
export type Figure = { name: string; unit: string; values: number[] };

export type Results = {
  /** The benchmark's file name without .ts. */
  name: string;
  /** The parameters in effect (flags and their defaults). */
  params: Record<string, unknown>;
  /** Everything measured in this run, the console's headline figure first (the baseline's series included). */
  figures: Figure[];
  /** The same-run baseline the headline ratio is taken against. */
  baseline: Figure;
  /** The headline ratio, computed as the text output computes it… */
  ratio: number;
  /** …and how: e.g. "console / bare fan-out, per run, then median". */
  ratioOf: string;
  /** Counts, targets and other figures that may rightly be zero (failed requests…): written, not checked. */
  extra?: Record<string, unknown>;
};

export const RESULTS_DIR = path.join(REPO, "bench", "results");

/** bench/results/<name>-<ISO date>.json, the colons of the time as hyphens (the file name travels). */
export function defaultResultsPath(name: string, date = new Date()): string {
  return path.join(RESULTS_DIR, `${name}-${date.toISOString().replace(/:/g, "-")}.json`);
}

function git(args: string[]): string | null {
  const r = spawnSync("git", args, { cwd: REPO, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

const isFigureValue = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

/**
 * What is wrong with a results document (read back from its JSON, where NaN
 * became null): none means every figure, the baseline, the medians and the
 * ratio are real measurements. Targets are not checked: a smoke run proves
 * the benchmark still measures, not that the console is fast.
 */
export function checkResults(doc: unknown): string[] {
  const problems: string[] = [];
  const d = (doc ?? {}) as Record<string, unknown>;
  if (typeof d.name !== "string" || !d.name) problems.push("no name");
  if (typeof d.date !== "string" || Number.isNaN(Date.parse(d.date))) problems.push("no date");
  const checkFigure = (label: string, fig: unknown) => {
    const g = (fig ?? {}) as Record<string, unknown>;
    if (typeof g.name !== "string" || !g.name) return void problems.push(`${label}: no name`);
    const values = g.values;
    if (!Array.isArray(values) || values.length === 0) return void problems.push(`${label} "${g.name}": no values (nothing measured)`);
    const bad = values.filter((v) => !isFigureValue(v));
    if (bad.length) problems.push(`${label} "${g.name}": ${bad.length} of ${values.length} values are not numbers > 0 (${JSON.stringify(bad.slice(0, 3))})`);
    if (!isFigureValue(g.median)) problems.push(`${label} "${g.name}": median ${JSON.stringify(g.median)}`);
  };
  if (!Array.isArray(d.figures) || d.figures.length === 0) problems.push("no figures");
  else d.figures.forEach((fig, i) => checkFigure(`figure ${i + 1}`, fig));
  checkFigure("baseline", d.baseline);
  if (!isFigureValue(d.ratio)) problems.push(`ratio ${JSON.stringify(d.ratio)}`);
  const medians = (d.medians ?? {}) as Record<string, unknown>;
  if (!Object.keys(medians).length) problems.push("no medians");
  for (const [k, v] of Object.entries(medians)) if (!isFigureValue(v)) problems.push(`median of "${k}": ${JSON.stringify(v)}`);
  return problems;
}

/**
 * Writes the run's results (to --json <path>, else bench/results/<name>-<date>.json)
 * and says where. With --smoke, a document with missing figures fails the run
 * (after writing it, so it can be read); otherwise the problems are printed.
 */
export function writeResults(results: Results, options: { smoke?: boolean; json?: string }): string {
  const date = new Date();
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  const withMedian = (fig: Figure) => ({ ...fig, median: median(fig.values) });
  const figures = results.figures.map(withMedian);
  const doc = {
    name: results.name,
    date: date.toISOString(),
    commit: git(["rev-parse", "HEAD"]),
    /** Uncommitted changes to tracked files when it ran (null: not a git checkout). */
    dirty: status === null ? null : status.length > 0,
    args: process.argv.slice(2),
    smoke: Boolean(options.smoke),
    params: results.params,
    host: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
    figures,
    baseline: withMedian(results.baseline),
    ratio: results.ratio,
    ratioOf: results.ratioOf,
    medians: Object.fromEntries(figures.map((fig) => [fig.name, fig.median])),
    extra: results.extra ?? {},
  };
  const file = path.resolve(options.json ?? defaultResultsPath(results.name, date));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
  const shown = path.relative(process.cwd(), file);
  console.log(`\nresults: ${shown.startsWith("..") ? file : shown}`);
  const problems = checkResults(JSON.parse(JSON.stringify(doc)));
  if (problems.length) {
    const text = `the results hold no real figures where they should:\n  ${problems.join("\n  ")}`;
    if (options.smoke) throw new Error(`smoke check failed: ${text}`);
    console.log(`warning: ${text}`);
  }
  return file;
}

/**
 * What a benchmark runs now, newest first: each run pushes a stop for every
 * part it starts (unshift) and stops its own parts at its end (stopDownTo);
 * the rest stops at the end, on failure, or on SIGINT/SIGTERM.
 */
export function runningParts(): { running: (() => Promise<unknown>)[]; stopDownTo(depth: number): Promise<void> } {
  const running: (() => Promise<unknown>)[] = [];
  const stopDownTo = async (depth: number) => {
    while (running.length > depth) await running.shift()!().catch(() => {});
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopDownTo(0).finally(() => process.exit(130)));
  return { running, stopDownTo };
}

/**
 * The console's own database for a benchmark run in-process: an embedded
 * PostgreSQL, migrated and named in the environment (DATABASE_URL, a secret)
 * before anything imports lib/db. Its stop and the client's disconnect go on
 * `running` (runningParts), newest first.
 */
export async function benchConsole(name: string, running: (() => Promise<unknown>)[]): Promise<{ url: string }> {
  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const { resetEnvCache } = await import("@/lib/env");
  const database = await startTestPostgres();
  running.unshift(() => database.stop());
  await applyMigrations({ databaseUrl: database.url, migrationsDir: path.join(REPO, "prisma/migrations") });
  process.env.DATABASE_URL = database.url;
  process.env.CLUSTERDECK_SECRET = `bench-${name}-secret-`.padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  running.unshift(() => db.$disconnect());
  return { url: database.url };
}
