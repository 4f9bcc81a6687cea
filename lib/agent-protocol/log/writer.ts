// The one log line of every Clusterdeck process (web, worker, agent): pino set
// up by pino.mjs, redacted by path and then masked the way mask/ masks data
// anyone may read (secret-named keys at any depth, URL passwords, `token=…`
// and `Bearer …` inside strings). Here rather than in lib/log.ts so that the
// agent, which never reads the console's environment, writes the same lines.
import { createLogger, REDACT_PATHS } from "@/lib/agent-protocol/log/pino.mjs";
import { MASK, maskData } from "@/lib/agent-protocol/mask";

export type LogProcess = "web" | "worker" | "agent";
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type WriteLog = (level: LogLevel, msg: string, fields?: LogFields) => void;

/**
 * A writer for one process. `process` is read at every line (an entry point
 * may say which process it is after modules have loaded); debug lines are
 * written only while `debug()` says so.
 */
export function createLogWriter(options: { process: () => LogProcess; debug: () => boolean }): WriteLog {
  const logger = createLogger({ role: options.process, mask: (fields) => maskData(fields), redactPaths: REDACT_PATHS, censor: MASK });
  return (level, msg, fields = {}) => {
    if (level === "debug" && !options.debug()) return;
    // msg travels in the object so that it precedes the call's fields in the line.
    logger[level]({ ...fields, msg: String(msg) });
  };
}
