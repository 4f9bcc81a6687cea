// Child-process plumbing shared by the lab fixtures: run a command and keep its
// output for the error message, wait for a condition with a deadline, read a
// log's tail, and kill what a fixture started if the Node process exits before
// the fixture's stop() ran (a crashed test must not leave servers behind).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

export class LabError extends Error {
  override name = "LabError";
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Text given on stdin (stdin is closed either way, so nothing waits for a terminal). */
  input?: string;
  /** Turns ENOENT into an error that says what to install. */
  missingHint?: string;
}

/** Variables a lab or demo process may take from ours: where programs are, locale and time zone, home and temp folders. */
const INHERITED = ["PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR"];

/**
 * The environment for what the lab and the demo start (servers, agents, tools):
 * none of ours beyond INHERITED. The demo runs inside the console's process,
 * whose environment holds its session secret and database URL; an agent or
 * HAProxy started with it would hand them to anything that can read its
 * environment (HAProxy expands "$VAR" in its configuration).
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

/** Runs a command to completion; never throws for a non-zero exit (see runChecked). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: isolatedEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new LabError(`${cmd} ${args.join(" ")} did not finish within ${timeoutMs} ms\n${clip(stdout + stderr)}`));
    }, timeoutMs);
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "ENOENT") reject(new LabError(`${cmd} not found${opts.missingHint ? ` (${opts.missingHint})` : ""}`));
      else reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a command and throws, with its output, unless it exits 0. */
export async function runChecked(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, opts);
  if (result.code !== 0) {
    throw new LabError(`${cmd} ${args.join(" ")} failed (${result.signal ?? `exit ${result.code}`}):\n${clip(result.stderr + result.stdout)}`);
  }
  return result;
}

export function clip(text: string, max = 4000): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}

export async function tailFile(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * Polls `check` until it returns something other than undefined/false, or throws
 * after `timeoutMs` with `what` and, if given, the extra detail (a log tail).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: {
    timeoutMs?: number;
    intervalMs?: number;
    detail?: () => Promise<string> | string;
    /** Checked before each try: a message means waiting is pointless (say, the server exited); throw it now. */
    abort?: () => string | null;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) {
      const detail = opts.detail ? await opts.detail() : "";
      throw new LabError(`${aborted} while waiting for ${what}${detail ? `\n${detail}` : ""}`);
    }
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = opts.detail ? await opts.detail() : "";
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new LabError(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${cause}${detail ? `\n${detail}` : ""}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * True while the process runs. A zombie counts as gone: daemons such as the
 * postmaster are re-parented to PID 1, which may take a second or two to reap
 * them, and signal 0 still succeeds on a zombie.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (error) {
    // No /proc (not Linux): trust the signal; gone from /proc meanwhile: dead.
    return (error as NodeJS.ErrnoException).code !== "ENOENT" || !existsSync("/proc/self");
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const exitHooks = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Registers a synchronous last-resort cleanup run when this Node process exits
 * (normally or on an uncaught exception). Returns the function that removes it;
 * a fixture's stop() calls that once it has cleaned up itself. Not run when the
 * process is killed by a signal it does not handle: scripts that want Ctrl-C to
 * clean up handle SIGINT themselves (see lab/up.ts).
 */
export function onProcessExit(hook: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const h of exitHooks) {
        try {
          h();
        } catch {
          // keep going: the next hook may still free something
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => void exitHooks.delete(hook);
}
