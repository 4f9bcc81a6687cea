// The HAProxy configuration file, managed for the console. Validation is
// HAProxy's own (`haproxy -c` on a scratch copy beside the real file), so a
// candidate is judged by the exact binary that will run it. Activation is a
// hitless reload of the master-worker process (SIGUSR2 to the master, whose
// pid is in the pidfile); it counts as done when a new worker answers on the
// runtime API. If it does not, the previous file is put back and reloaded.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { ActionError } from "../drivers/types";
import { fileConfigManager, scratchCopy } from "./file";
import type { ConfigManager, ConfigProblem } from "./types";

export type HaproxyConfigOptions = {
  configFile: string;
  pidFile: string;
  binary: string;
  /** Sends one runtime API command (the driver's). */
  command: (cmd: string) => Promise<string>;
  reloadTimeoutMs: number;
};

/** `[ALERT] (pid) : config : parsing [file:12] : message` → { line: 12, message }. */
export function parseHaproxyCheck(output: string, scratchPath: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const raw of output.split("\n")) {
    if (!/^\[(ALERT|EMERG)\]/.test(raw)) continue;
    const line = raw.split(scratchPath).join("config");
    const at = /\[config:(\d+)\]/.exec(line);
    const message = line.replace(/^\[(ALERT|EMERG)\]\s*\(\d+\)\s*:\s*/, "").replace(/^config\s*:\s*/, "").trim();
    // The summary lines say nothing the specific ones did not.
    if (/^(Error\(s\) found in configuration file|Fatal errors found in configuration)/.test(message)) continue;
    problems.push({ line: at ? Number(at[1]) : null, message: message.slice(0, 1000) });
  }
  return problems;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && typeof e.code === "string") return resolve({ code: null, output: "", error: `cannot run ${binary}: ${e.code}` });
      resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export function haproxyConfigManager(o: HaproxyConfigOptions): ConfigManager {
  async function validate(content: string): Promise<ConfigProblem[]> {
    const scratch = await scratchCopy(o.configFile, content);
    try {
      const result = await run(o.binary, ["-c", "-f", scratch.path], 15_000);
      if (result.error) throw new ActionError(502, result.error);
      if (result.code === 0) return [];
      const problems = parseHaproxyCheck(result.output, scratch.path);
      return problems.length ? problems : [{ line: null, message: result.output.trim().slice(0, 1000) || `haproxy -c exited with ${result.code}` }];
    } finally {
      await scratch.remove();
    }
  }

  async function workerPid(): Promise<number | null> {
    const info = await o.command("show info").catch(() => "");
    const pid = /^Pid:\s*(\d+)/m.exec(info)?.[1];
    return pid ? Number(pid) : null;
  }

  async function reload(): Promise<void> {
    const masterPid = Number((await readFile(o.pidFile, "utf8").catch(() => "")).trim().split("\n")[0]);
    if (!Number.isInteger(masterPid) || masterPid <= 1) throw new ActionError(502, `no HAProxy master pid in ${o.pidFile}`);
    const before = await workerPid();
    try {
      process.kill(masterPid, "SIGUSR2");
    } catch (error) {
      throw new ActionError(502, `cannot signal the HAProxy master (pid ${masterPid}): ${(error as NodeJS.ErrnoException).code}`);
    }
    const deadline = Date.now() + o.reloadTimeoutMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      const now = await workerPid();
      if (now !== null && now !== before) return;
    }
    throw new ActionError(502, `HAProxy did not start a new worker within ${o.reloadTimeoutMs} ms after the reload`);
  }

  return fileConfigManager({ kind: "HAPROXY", file: o.configFile, validate, activate: reload });
}
