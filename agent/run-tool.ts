// Every program an agent runs (haproxy -c, pg_ctl, pg_rewind, …) runs with an
// environment the agent builds, never its own. An agent started from a shell
// or a console process may hold that process's secrets in its environment
// (session secrets, database URLs); HAProxy expands "$VAR" in its
// configuration and PostgreSQL tools read PG* variables, so an inherited
// environment is a way for a pushed configuration to read them, or for a
// stray variable to change what a tool does.
import { execFile } from "node:child_process";

/** Where system tools live; nothing else of the agent's environment is passed on. */
export const TOOL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The whole environment a tool gets: a fixed PATH and C locale, plus what the caller names (e.g. PGPASSWORD). */
export function toolEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: TOOL_PATH, LC_ALL: "C", ...extra };
}

export type ToolResult = {
  /** Exit code; null when it could not run or was killed (then `error` says why). */
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
};

/** Runs a program with an argument vector (never a shell), a deadline and toolEnv(env). */
export function runTool(binary: string, args: string[], options: { timeoutMs: number; env?: Record<string, string>; maxBuffer?: number }): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { timeout: options.timeoutMs, maxBuffer: options.maxBuffer ?? 4 * 1024 * 1024, env: toolEnv(options.env) as NodeJS.ProcessEnv },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
        if (!e) return resolve({ code: 0, stdout: String(stdout), stderr: String(stderr) });
        if (typeof e.code === "string") return resolve({ code: null, stdout: "", stderr: "", error: `cannot run ${binary}: ${e.code}` });
        if (e.killed || e.signal)
          return resolve({
            code: null,
            stdout: String(stdout),
            stderr: String(stderr),
            error: `${binary} was stopped (${e.signal ?? "timeout"}) after ${options.timeoutMs} ms`,
          });
        resolve({ code: typeof e.code === "number" ? e.code : 1, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
