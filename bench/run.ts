// The benchmarks' runner: `npm run bench -- <name> [flags]`.
//
//   npm run bench                         lists the benchmarks
//   npm run bench -- deploy --runs 3      runs one; its flags go to it unchanged
//   npm run bench -- all --smoke          every one in smoke mode, one after the other (what npm test runs)
//
// A benchmark is bench/<name>.ts, or bench/<name>/main.ts when it is split into a
// folder. Each runs as `node --conditions=react-server --import tsx <that file>`:
// several import server-only modules, which throw without that condition.
// With --smoke, the runner reads back the JSON the benchmark wrote and fails if
// a figure is missing, NaN or not above zero (checkResults in common.ts), so a
// benchmark that stopped measuring fails npm test instead of rotting.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkResults, defaultResultsPath } from "./common";

const BENCH = import.meta.dirname;
const REPO = path.resolve(BENCH, "..");
/** Files of bench/ that are not benchmarks. */
const HELPERS = new Set(["common.ts", "run.ts"]);
/** Benchmarks that run the console from a production build (.next/BUILD_ID). */
const NEEDS_BUILD = new Set(["detection", "front-server", "scale"]);
/** A smoke run longer than this has hung: its process group is stopped and the run fails. */
const SMOKE_TIMEOUT_MS = 240_000;

/** name → the file that runs it. */
const entries = new Map<string, string>();
for (const entry of readdirSync(BENCH, { withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") && !HELPERS.has(entry.name))
    entries.set(entry.name.slice(0, -3), path.join(BENCH, entry.name));
  else if (entry.isDirectory() && existsSync(path.join(BENCH, entry.name, "main.ts"))) entries.set(entry.name, path.join(BENCH, entry.name, "main.ts"));
}
const names = [...entries.keys()].sort();

function usage(): string {
  return [
    "usage: npm run bench -- <name> [flags]   run one benchmark (flags go to it; --smoke: one small run; --json PATH: where its results go)",
    "       npm run bench -- all --smoke      every benchmark in smoke mode, one after the other",
    "",
    `benchmarks: ${names.join(", ")}`,
    "results: bench/results/<name>-<date>.json unless --json says otherwise",
  ].join("\n");
}

type Outcome = { code: number; signal: NodeJS.Signals | null; timedOut: boolean; seconds: number };

/**
 * Runs one benchmark in its own process group, so a timeout or a Ctrl-C
 * reaches everything it started (PostgreSQL, HAProxy, agents, a console).
 */
function runOne(name: string, args: string[], timeoutMs: number | null): Promise<Outcome> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", entries.get(name)!, ...args], {
    cwd: REPO,
    stdio: "inherit",
    detached: true,
  });
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  // The benchmark cleans up on SIGINT/SIGTERM; SIGKILL only if it has not within 30 s.
  let killer: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals) => {
    group(signal);
    killer ??= setTimeout(() => group("SIGKILL"), 30_000);
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let timedOut = false;
  const timer =
    timeoutMs === null
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          console.error(`\n!! ${name}: still running after ${timeoutMs / 1000} s: stopping it`);
          stop("SIGTERM");
        }, timeoutMs);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      // Give what it started a moment to go with it before the next benchmark, then make sure.
      setTimeout(() => {
        group("SIGKILL");
        clearTimeout(killer);
        resolve({ code: code ?? 1, signal, timedOut, seconds: (Date.now() - started) / 1000 });
      }, 1000);
    });
  });
}

/** What is wrong with a benchmark's results file (none: real figures). */
function checkFile(file: string): string[] {
  if (!existsSync(file)) return [`it wrote no results (${path.relative(REPO, file)})`];
  try {
    return checkResults(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    return [`its results are not JSON: ${(error as Error).message}`];
  }
}

function missingBuild(name: string): string | null {
  return NEEDS_BUILD.has(name) && !existsSync(path.join(REPO, ".next", "BUILD_ID"))
    ? `${name} runs the console from a production build and there is none (.next/BUILD_ID): run \`npm run build\` first`
    : null;
}

async function runAllSmoke(extra: string[]): Promise<number> {
  if (extra.length !== 1 || extra[0] !== "--smoke") {
    console.error(`all takes --smoke and nothing else (got "${extra.join(" ")}"): run full benchmarks one by one\n\n${usage()}`);
    return 2;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
  const rows: { name: string; seconds: number; result: string }[] = [];
  const t0 = Date.now();
  for (const name of names) {
    console.log(`\n==== bench ${name} --smoke`);
    const noBuild = missingBuild(name);
    if (noBuild) {
      rows.push({ name, seconds: 0, result: `FAILED: ${noBuild}` });
      continue;
    }
    const file = path.join(dir, `${name}.json`);
    const out = await runOne(name, ["--smoke", "--json", file], SMOKE_TIMEOUT_MS);
    let result = "ok";
    if (out.timedOut) result = `FAILED: timed out after ${SMOKE_TIMEOUT_MS / 1000} s`;
    else if (out.code !== 0 || out.signal) result = `FAILED: exit ${out.signal ?? out.code}`;
    else {
      const problems = checkFile(file);
      if (problems.length) result = `FAILED: ${problems.join("; ")}`;
    }
    rows.push({ name, seconds: out.seconds, result });
    console.log(`==== bench ${name}: ${result} in ${out.seconds.toFixed(1)} s`);
  }
  const failed = rows.filter((r) => r.result !== "ok");
  console.log(`\n==== benchmark smoke runs (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
  for (const r of rows) console.log(`  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.result}`);
  if (failed.length) console.log(`results kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return failed.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(usage());
    return 0;
  }
  if (name === "all") return runAllSmoke(rest);
  if (!names.includes(name)) {
    console.error(`unknown benchmark "${name}"\n\n${usage()}`);
    return 2;
  }
  const noBuild = missingBuild(name);
  if (noBuild) {
    console.error(noBuild);
    return 1;
  }
  // The runner names the results file (absolute: the benchmark runs from the repository)
  // when the call does not, so it can read it back after a smoke run.
  const args: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--json" || a.startsWith("--json=")) {
      const value = a === "--json" ? rest[++i] : a.slice("--json=".length);
      if (!value) {
        console.error("--json needs a path");
        return 2;
      }
      file = path.resolve(value);
    } else args.push(a);
  }
  file ??= defaultResultsPath(name);
  const smoke = args.includes("--smoke");
  const out = await runOne(name, [...args, "--json", file], smoke ? SMOKE_TIMEOUT_MS : null);
  console.log(`\n${name}: exit ${out.signal ?? out.code} after ${out.seconds.toFixed(1)} s`);
  if (out.code !== 0 || out.signal) return out.code || 1;
  if (smoke) {
    const problems = checkFile(file);
    if (problems.length) {
      console.error(`${name} --smoke: ${problems.join("; ")}`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
