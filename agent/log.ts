// The agent's log: the line every Clusterdeck process writes
// (lib/agent-protocol/log/writer.ts: the same JSON fields and redaction), with
// process "agent", handed around as a sink so tests can collect entries. Every
// line goes to stderr: stdout stays free for whatever supervises the daemon.
// No debug lines: the agent never reads the console's environment
// (CLUSTERDECK_DEBUG included). Callers pass fields, never secrets.
import { createLogWriter } from "@/lib/agent-protocol/log/writer";

export type LogEntry = { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>;
export type LogSink = (entry: LogEntry) => void;

const writeLog = createLogWriter({ process: () => "agent", debug: () => false });

export const stderrLog: LogSink = (entry) => {
  const { level, msg, ...fields } = entry;
  writeLog(level, msg, fields);
};

/**
 * Passes at most `limit` entries per window to the sink and then one summary
 * of how many were dropped, so a flood of refused requests cannot flood the log.
 */
export function rateLimited(sink: LogSink, limit = 50, windowMs = 10_000): LogSink {
  let windowStart = 0;
  let passed = 0;
  let dropped = 0;
  return (entry) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (dropped > 0) sink({ level: "warn", msg: "log lines suppressed", suppressed: dropped, windowMs });
      windowStart = now;
      passed = 0;
      dropped = 0;
    }
    if (passed < limit) {
      passed++;
      sink(entry);
    } else {
      dropped++;
    }
  };
}
