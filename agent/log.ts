// The agent's log: the console's one logger (lib/log.ts: the same JSON line,
// with process "agent", the same redaction), handed around as a sink so tests
// can collect entries. In the agent process (setLogProcess("agent"), agent/main.ts)
// every line goes to stderr: stdout stays free for whatever supervises the daemon. Callers pass
// fields, never secrets.
import { writeLog } from "@/lib/log";

export type LogEntry = { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>;
export type LogSink = (entry: LogEntry) => void;

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
