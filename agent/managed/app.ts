// The app's settings file, managed for the console: JSON the app re-reads when
// the agent calls its reload hook. Written 0600 (it holds the database
// password). If the app refuses the reload, the previous file is put back and
// the app told to reload again.
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { ActionError } from "../drivers/types";
import { httpRequest } from "../probe";
import { fileConfigManager } from "./file";
import { issuesToProblems, parseJsonText } from "./problems";
import type { ConfigManager, ConfigProblem } from "./types";

export type AppConfigOptions = { settingsFile: string; reloadUrl: string; timeoutMs: number };

export function appConfigManager(o: AppConfigOptions): ConfigManager {
  async function validate(content: string): Promise<ConfigProblem[]> {
    const json = parseJsonText(content);
    if (!json.ok) return json.problems;
    const parsed = appSettings.safeParse(json.value);
    return parsed.success ? [] : issuesToProblems(parsed.error.issues);
  }

  async function reload(): Promise<void> {
    let status: number;
    try {
      status = (await httpRequest(o.reloadUrl, { method: "POST", timeoutMs: o.timeoutMs, readBody: false })).status;
    } catch (error) {
      throw new ActionError(502, `the app's reload hook failed: ${(error as Error).message}`);
    }
    if (status < 200 || status >= 300) throw new ActionError(502, `the app's reload hook answered HTTP ${status}`);
  }

  return fileConfigManager({ kind: "APP", file: o.settingsFile, mode: 0o600, validate, activate: reload });
}
