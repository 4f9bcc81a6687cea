// The console's logger (web and worker): the line every Clusterdeck process
// writes (lib/agent-protocol/log/writer.ts), one JSON object per line:
//
//   {"level":"info","time":"2026-…Z","process":"worker","pid":123,"msg":"worker.elected","holder":"…","epoch":4}
//
// Callers pass fields, never secrets; known secret paths are redacted and
// every field masked as a last line of defence. What is the console's own
// here: which process this is, and CLUSTERDECK_DEBUG from its environment.
// The agent has its own writer (agent/log.ts).
import { env } from "@/lib/env";
import { createLogWriter, type LogFields, type LogProcess } from "@/lib/agent-protocol/log/writer";

const state: { process: Exclude<LogProcess, "agent">; debug: boolean | undefined } = { process: "web", debug: undefined };

/** Which process this is; its entry sets it once (the web process is the default). */
export function setLogProcess(role: Exclude<LogProcess, "agent">): void {
  state.process = role;
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

/** One line: msg is the entry's name (kept stable: ops tooling greps it), fields its details. */
const writeLog = createLogWriter({ process: () => state.process, debug: debugEnabled });

export const log = {
  debug: (msg: string, fields?: LogFields) => writeLog("debug", msg, fields),
  info: (msg: string, fields?: LogFields) => writeLog("info", msg, fields),
  warn: (msg: string, fields?: LogFields) => writeLog("warn", msg, fields),
  error: (msg: string, fields?: LogFields) => writeLog("error", msg, fields),
};
