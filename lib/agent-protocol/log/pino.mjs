// The pino set-up every Clusterdeck process logs through: writer.ts (web
// route code and worker through lib/log.ts, the agent through agent/log.ts) and
// bin/front-server.mjs (the web process's own server, plain JavaScript outside
// Next's bundler). One line per entry:
//
//   {"level":"info","time":"…Z","process":"worker","pid":123,"msg":"worker.elected","holder":"…","epoch":4}
//
// level as a word, time in ISO 8601, the process's kind and pid (a call can
// override neither), msg (the entry's stable name: ops tooling greps it), then
// the call's fields, redacted by path and then by `mask`.
import pino from "pino";

/** Errors become their message: an Error's own fields serialise as {} and its stack is noise in a line. */
const plain = (value) => (value instanceof Error ? value.message : value);

/**
 * @param {{ role: () => string, mask: (fields: Record<string, unknown>) => Record<string, unknown>, redactPaths: string[], censor: string }} options
 */
export function createLogger({ role, mask, redactPaths, censor }) {
  // Through process.*.write, as the old loggers did (synchronous on pipes and
  // files, and seen by test runners). The agent writes everything to stderr
  // (its stdout is its supervisor's); web and worker write warn and error to
  // stderr, the rest to stdout.
  const destination = {
    write(line) {
      const level = /^\{"level":"(\w+)"/.exec(line)?.[1];
      if (role() === "agent" || level === "error" || level === "warn" || level === "fatal") process.stderr.write(line);
      else process.stdout.write(line);
    },
  };
  return pino(
    {
      level: "debug",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      redact: { paths: redactPaths, censor },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => {
          const { msg, ...fields } = object;
          delete fields.process;
          delete fields.pid;
          const masked = mask(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plain(v)])));
          return { process: role(), pid: process.pid, msg, ...masked };
        },
      },
    },
    destination,
  );
}

const URL_PASSWORD = /([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#@]*@/g;
const BEARER = /\b(Bearer|Basic)[ \t]+[^\s"'<>]+/gi;

/**
 * A small mask for what cannot load lib/agent-protocol/mask/ (bin/front-server.mjs
 * is plain JavaScript run by bare Node): URL passwords and bearer or basic
 * credentials in every string value, at any depth.
 */
export function maskPlainStrings(value, censor) {
  if (typeof value === "string") return value.replace(URL_PASSWORD, `$1${censor}@`).replace(BEARER, `$1 ${censor}`);
  if (Array.isArray(value)) return value.map((v) => maskPlainStrings(v, censor));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPlainStrings(v, censor)]));
  return value;
}

/**
 * Paths pino redacts before anything else reads the line: what the code logs,
 * or could, under a plain name. The mask given to createLogger covers the
 * rest (writer.ts: any depth, any secret-looking name, secrets inside strings).
 */
export const REDACT_PATHS = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "secret",
  "token",
  "apiToken",
  "metricsToken",
  "accessToken",
  "refreshToken",
  "idToken",
  "clientSecret",
  "authorization",
  "cookie",
  "credentials",
  "databaseUrl",
  "DATABASE_URL",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "*.password",
  "*.secret",
  "*.token",
  "*.authorization",
  "*.cookie",
  "*.credentials",
];
