// The agent's log: one JSON object per line on stderr (stdout stays free for
// whatever supervises the daemon). Callers pass fields, never secrets.
export type LogEntry = { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>;
export type LogSink = (entry: LogEntry) => void;

export const stderrLog: LogSink = (entry) => {
  const { level, msg, ...fields } = entry;
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
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
