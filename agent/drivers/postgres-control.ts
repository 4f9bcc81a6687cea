// The postgres driver's hold on the server itself rather than through SQL:
// PostgreSQL's own tools (pg_ctl, pg_controldata, pg_rewind, pg_basebackup)
// from the driver's `stop` section, run as the data directory's owner when the
// agent is root, to stop and start the server (a fence, a rebuild).
// The rebuild itself is postgres-rebuild.ts.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { runTool } from "../run-tool";
import { withConninfo } from "./postgres-conf";

/** primary_conninfo with host and port replaced (user, passfile, application_name… kept). */
export function replaceHostPort(conninfo: string, host: string, port: number): string {
  return withConninfo(conninfo, { host, port });
}

export type Control = { pgCtl: string; dataDir: string; runAs?: string };

/**
 * Runs a PostgreSQL tool of the server's installation, as the data directory's
 * owner when the agent runs as root; answers its stdout then stderr (pg_rewind
 * says what it did on stderr).
 */
export async function pgTool(control: Control, tool: string, args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<string> {
  const exe = path.join(path.dirname(control.pgCtl), tool);
  const [cmd, argv] = control.runAs && process.getuid?.() === 0 ? ["runuser", ["-u", control.runAs, "--", exe, ...args]] : [exe, args];
  // The tool gets toolEnv plus `env` (PGPASSWORD: never on a command line, where ps would show it), never the agent's own environment.
  const result = await runTool(cmd, argv, { timeoutMs, env });
  if (result.code === 0) return result.stdout + result.stderr;
  // On one line; the tools' progress lines dropped when error lines say what went wrong.
  const lines = String(result.stderr || result.error || `exit ${result.code}`)
    .trim()
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => /error|fatal|could not|failed/i.test(l));
  throw new Error(`${tool} failed: ${(errors.length > 0 ? errors : lines).join("; ").slice(0, 400)}`);
}

/** pg_ctl stop -m fast. */
export function stopServer(control: Control): Promise<void> {
  return pgTool(control, "pg_ctl", ["stop", "-D", control.dataDir, "-m", "fast", "-w", "-t", "30"], 40_000).then(() => undefined);
}

/**
 * The postmaster of the data directory when one runs. A crash (kill -9) leaves
 * postmaster.pid behind, and its pid may since belong to another process: it
 * only counts while it is a live postgres.
 */
export async function runningPid(dataDir: string): Promise<number | null> {
  const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const argv = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const state = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  // A zombie (state Z) has exited: an unreaped postmaster is not running.
  const zombie = / Z /.test(state.slice(state.lastIndexOf(")")));
  return /postgres|postmaster/.test(argv.split("\0")[0] ?? "") && !zombie ? pid : null;
}

/** Stops the server if it runs; a crashed one's stale postmaster.pid is removed. Says what it did. */
export async function ensureStopped(control: Control): Promise<string | null> {
  if ((await runningPid(control.dataDir)) !== null) {
    await stopServer(control);
    return "stopped";
  }
  const pidFile = path.join(control.dataDir, "postmaster.pid");
  const stale = await readFile(pidFile, "utf8").catch(() => null);
  if (stale === null) return null;
  // postmaster.pid: pid, data dir, start time, port, first socket folder… The
  // socket's lock file names the same pid; if that pid is an unreaped zombie,
  // PostgreSQL takes it for a live postmaster and refuses to start.
  const [pid, , , port, socketDir] = stale.split("\n");
  if (socketDir?.startsWith("/") && /^\d+$/.test(port ?? "")) {
    const lock = path.join(socketDir, `.s.PGSQL.${port}.lock`);
    const lockPid = (await readFile(lock, "utf8").catch(() => "")).split("\n")[0];
    if (lockPid === pid) await rm(lock, { force: true });
  }
  await rm(pidFile, { force: true });
  return "not running: stale postmaster.pid removed (it had crashed)";
}

/** pg_ctl start, waiting until it takes connections; the server's output goes to `logFile`. */
export async function startServer(control: Control, logFile: string): Promise<void> {
  await pgTool(control, "pg_ctl", ["start", "-D", control.dataDir, "-w", "-t", "120", "-l", logFile], 150_000);
}
