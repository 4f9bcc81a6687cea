// A highly available console as production runs it (README "Production"):
// several `clusterdeck start --no-worker` web instances and several
// `clusterdeck worker` processes against one PostgreSQL, each its own process
// group so a test can kill one as a crash would. Output goes to log files in
// the run's folder, shown when a test fails.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

const repoRoot = path.resolve(import.meta.dirname, "../..");

export type ConsoleProcess = {
  label: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  /** Signals the whole process group (launcher, CLI, next or worker). */
  kill(signal: NodeJS.Signals): void;
  alive(): boolean;
};

export function spawnCli(label: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ConsoleProcess {
  const logFile = path.join(logDir, `${label}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [path.join(repoRoot, "bin/clusterdeck.mjs"), ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  return {
    label,
    child,
    logFile,
    exited,
    kill(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    },
    alive: () => !dead,
  };
}

/** Stops each (SIGTERM, SIGKILL after 10 s) and waits. */
export async function stopAll(processes: ConsoleProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
      await p.exited;
      clearTimeout(timer);
      p.kill("SIGKILL"); // anything left in the group
    }),
  );
}

export function logTail(p: ConsoleProcess, lines = 40): string {
  try {
    return readFileSync(p.logFile, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function healthy(baseURL: string): Promise<boolean> {
  const res = await fetch(`${baseURL}/api/v1/health`).catch(() => null);
  return res?.status === 200;
}

/** One query on a short-lived connection: the database may restart under the test. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The monitor lease's holder ("host:pid:tag") and its pid, when it is held. */
export async function leaseHolder(url: string): Promise<{ holder: string; pid: number } | null> {
  const rows = await query<{ holder: string }>(url, `SELECT "holder" FROM "WorkerLease" WHERE "name" = 'monitor' AND "expiresAt" > now()`);
  const holder = rows[0]?.holder;
  if (!holder) return null;
  return { holder, pid: Number(holder.split(":")[1]) };
}
