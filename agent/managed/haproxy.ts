// The HAProxy configuration file, managed for the console. HAProxy runs as
// root and its configuration is code, so a candidate is first held to the
// safe set (lib/agent-protocol/haproxy/rules/: directives, the files they read, this
// agent's own runtime paths, no environment); one that fails never reaches
// this host's disk nor `haproxy -c` (which would already run Lua, for one).
// Then it is validated by HAProxy's own `haproxy -c` on a scratch copy beside
// the real file, with an empty environment, so a candidate is judged by the
// exact binary that will run it. Activation is a hitless reload of the
// master-worker process (SIGUSR2 to the master, whose pid is in the
// pidfile); it counts as done when a new worker answers on the runtime API.
// If it does not, the previous file is put back and reloaded.
import { readFile } from "node:fs/promises";
import { checkHaproxyConfig, type HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules";
import { ActionError } from "../drivers/types";
import { runTool } from "../run-tool";
import { fileConfigManager, scratchCopy } from "./file";
import type { ConfigManager, ConfigProblem } from "./types";

export type HaproxyConfigOptions = {
  configFile: string;
  pidFile: string;
  /** Runtime paths, allowed directives and files: what a candidate may hold. */
  policy: HaproxyPolicy;
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
    const message = line
      .replace(/^\[(ALERT|EMERG)\]\s*\(\d+\)\s*:\s*/, "")
      .replace(/^config\s*:\s*/, "")
      .trim();
    // The summary lines say nothing the specific ones did not.
    if (/^(Error\(s\) found in configuration file|Fatal errors found in configuration)/.test(message)) continue;
    problems.push({ line: at ? Number(at[1]) : null, message: message.slice(0, 1000) });
  }
  return problems;
}

export function haproxyConfigManager(o: HaproxyConfigOptions): ConfigManager {
  async function validate(content: string): Promise<ConfigProblem[]> {
    const refused = checkHaproxyConfig(content, o.policy);
    if (refused.length) return refused.slice(0, 200).map((p) => ({ line: p.line, message: p.message.slice(0, 1000) }));
    const scratch = await scratchCopy(o.configFile, content);
    try {
      const result = await runTool(o.binary, ["-c", "-f", scratch.path], { timeoutMs: 15_000 });
      if (result.error) throw new ActionError(502, result.error);
      if (result.code === 0) return [];
      const output = `${result.stdout}${result.stderr}`;
      const problems = parseHaproxyCheck(output, scratch.path);
      return problems.length ? problems : [{ line: null, message: output.trim().slice(0, 1000) || `haproxy -c exited with ${result.code}` }];
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

  const policy = { runtime: { ...o.policy.runtime }, directives: [...o.policy.directives], files: [...o.policy.files], linkLocal: o.policy.linkLocal ?? false };
  return { ...fileConfigManager({ kind: "HAPROXY", file: o.configFile, validate, activate: reload }), policy };
}
