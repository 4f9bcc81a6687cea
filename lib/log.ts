import { env } from "@/lib/env";

// Structured one-line JSON logs. Callers pass fields, never secrets: keys
// that look secret are masked as a last line of defence.
type Fields = Record<string, unknown>;

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|key$/i;

function mask(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : v;
  return out;
}

function write(level: "debug" | "info" | "warn" | "error", msg: string, fields: Fields = {}) {
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...mask(fields) });
  if (level === "error" || level === "warn") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Fields) => (env().CLUSTERDECK_DEBUG ? write("debug", msg, fields) : undefined),
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
