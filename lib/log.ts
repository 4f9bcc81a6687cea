// The one logger of every Clusterdeck process (web, worker, agent): pino, one
// JSON object per line with the same fields everywhere (lib/log/pino.mjs):
//
//   {"level":"info","time":"2026-…Z","process":"worker","pid":123,"msg":"worker.elected","holder":"…","epoch":4}
//
// Callers pass fields, never secrets. As a last line of defence, known secret
// paths are redacted by pino and every field is then masked the way
// lib/security/mask.ts masks data anyone may read: secret-named keys at any
// depth, URL passwords, `token=…` and `Bearer …` inside strings.
//
// No server-only import here: the agent daemon logs through this module too.
import { env } from "@/lib/env";
import { createLogger, REDACT_PATHS } from "@/lib/log/pino.mjs";
import { MASK, maskData } from "@/lib/security/mask";

export type LogProcess = "web" | "worker" | "agent";
export type LogLevel = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

export { REDACT_PATHS };

const state: { process: LogProcess; debug: boolean | undefined } = { process: "web", debug: undefined };

/** Which process this is; its entry sets it once (the web process is the default). */
export function setLogProcess(role: LogProcess): void {
  state.process = role;
}

/** Whether debug lines are written, instead of reading CLUSTERDECK_DEBUG (the agent has no console environment). */
export function setLogDebug(on: boolean): void {
  state.debug = on;
}

function debugEnabled(): boolean {
  if (state.debug === undefined) {
    try {
      state.debug = Boolean(env().CLUSTERDECK_DEBUG);
    } catch {
      state.debug = false;
    }
  }
  return state.debug;
}

const logger = createLogger({ role: () => state.process, mask: (fields) => maskData(fields), redactPaths: REDACT_PATHS, censor: MASK });

/** One line: msg is the entry's name (kept stable: ops tooling greps it), fields its details. */
export function writeLog(level: LogLevel, msg: string, fields: Fields = {}): void {
  if (level === "debug" && !debugEnabled()) return;
  // msg travels in the object so that it precedes the call's fields in the line.
  logger[level]({ ...fields, msg: String(msg) });
}

export const log = {
  debug: (msg: string, fields?: Fields) => writeLog("debug", msg, fields),
  info: (msg: string, fields?: Fields) => writeLog("info", msg, fields),
  warn: (msg: string, fields?: Fields) => writeLog("warn", msg, fields),
  error: (msg: string, fields?: Fields) => writeLog("error", msg, fields),
};
