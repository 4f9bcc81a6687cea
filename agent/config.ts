// The agent's configuration: one JSON file, validated strictly, so a typo is
// an error that names the field instead of a setting silently ignored.
// The haproxy, postgres and pgbouncer sections are passed through as-is: their drivers
// validate them (createHaproxyDriver / createPostgresDriver / createPgbouncerDriver take `unknown`).
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { agentRoles } from "@/lib/agent-protocol/types";

const name = z.string().min(1).max(100);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;
const hostPort = z
  .string()
  .max(300)
  .regex(HOST_PORT, 'must be "host:port" (IPv6 as "[::1]:5432")')
  .refine((v) => {
    const port = Number(HOST_PORT.exec(v)?.[2] ?? 1); // a malformed value is reported by the regex alone
    return port >= 1 && port <= 65535;
  }, "port must be 1-65535");

export const appBackendConfig = z.union([z.strictObject({ name, url: httpUrl }), z.strictObject({ name, tcp: hostPort })]);

export const appConfig = z.strictObject({
  /** 2xx means the app is up. */
  healthUrl: httpUrl,
  /** JSON { sessions, requests, latencyMs?, errors?, draining? }. */
  statsUrl: httpUrl,
  drainUrl: httpUrl.optional(),
  resumeUrl: httpUrl.optional(),
  /** POSTed to end the remaining sessions when a drain reaches its deadline. */
  endSessionsUrl: httpUrl.optional(),
  /** POSTed `{ ms }` to make new writes wait through a planned switchover (optional: an app may not support it) … */
  holdWritesUrl: httpUrl.optional(),
  /** … and to let them go on. */
  releaseWritesUrl: httpUrl.optional(),
  backends: z.array(appBackendConfig).max(100).default([]),
  /** The settings file the console deploys (JSON, lib/agent-protocol/config/app-settings.ts) … */
  settingsFile: z.string().min(1).max(4096).optional(),
  /** … and the app's hook that makes it re-read the file (POST, 2xx = applied). */
  reloadUrl: httpUrl.optional(),
  /** Per probe; must be below intervalMs. Default: 80% of intervalMs, at most 5 s. */
  timeoutMs: z.number().int().min(20).max(59_000).optional(),
});

export const credential = z.strictObject({
  keyId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, "must be 4-64 characters of A-Z a-z 0-9 _ -"),
  // The secret is used as base64url bytes; anything else would be silently
  // dropped by the decoder, leaving a weaker key than it looks.
  secret: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "must be base64url (A-Z a-z 0-9 _ -)")
    .min(43, "must be at least 43 base64url characters (32 bytes); generate one with generateAgentSecret()")
    .max(512),
});

const passthrough = z.record(z.string(), z.unknown());

export const agentConfig = z
  .strictObject({
    name,
    role: z.enum(agentRoles),
    listen: z.strictObject({
      host: z.string().min(1).max(255).default("127.0.0.1"),
      port: z.number().int().min(0).max(65535),
    }),
    tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
    /** One, or two while a rotation overlaps. */
    credentials: z.array(credential).min(1, "needs at least one credential").max(2, "at most two credentials (old and new, while rotating)"),
    intervalMs: z.number().int().min(100).max(60_000).default(1000),
    /** GET /metrics needs `Authorization: Bearer <metricsToken>`. Without it /metrics is closed … */
    metricsToken: z
      .string()
      .min(16)
      .max(512)
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
    /** … unless the host's owner opens it on purpose (host figures and names are then anyone's who reaches the port). */
    openMetrics: z.boolean().default(false),
    app: appConfig.optional(),
    haproxy: passthrough.optional(),
    postgres: passthrough.optional(),
    pgbouncer: passthrough.optional(),
  })
  .superRefine((c, ctx) => {
    if (!c[c.role]) ctx.addIssue({ code: "custom", path: [c.role], message: `is required when role is "${c.role}"` });
    for (const other of agentRoles) {
      if (other !== c.role && c[other]) ctx.addIssue({ code: "custom", path: [other], message: `does not belong in a "${c.role}" agent's config` });
    }
    if (c.credentials.length === 2 && c.credentials[0]!.keyId === c.credentials[1]!.keyId) {
      ctx.addIssue({ code: "custom", path: ["credentials", 1, "keyId"], message: "duplicates credentials.0.keyId" });
    }
    if (c.openMetrics && c.metricsToken) {
      // Both set is a config whose author meant one of two things; guessing would either open or close it by surprise.
      ctx.addIssue({
        code: "custom",
        path: ["openMetrics"],
        message: "choose one: metricsToken (Prometheus sends it as a bearer token) or openMetrics: true (no token), not both",
      });
    }
    if (c.app && !c.app.settingsFile !== !c.app.reloadUrl) {
      ctx.addIssue({
        code: "custom",
        path: ["app", c.app.settingsFile ? "reloadUrl" : "settingsFile"],
        message: "settingsFile and reloadUrl go together: the app must re-read the file the console writes",
      });
    }
    if (c.app && !c.app.holdWritesUrl !== !c.app.releaseWritesUrl) {
      ctx.addIssue({
        code: "custom",
        path: ["app", c.app.holdWritesUrl ? "releaseWritesUrl" : "holdWritesUrl"],
        message: "holdWritesUrl and releaseWritesUrl go together: a hold the console cannot release would last its whole bound",
      });
    }
    if (c.app?.timeoutMs !== undefined && c.app.timeoutMs >= c.intervalMs) {
      ctx.addIssue({
        code: "custom",
        path: ["app", "timeoutMs"],
        message: `must be below intervalMs (${c.intervalMs}): a probe has to finish before the next collect`,
      });
    }
  })
  .transform((c) => ({
    ...c,
    app: c.app && { ...c.app, timeoutMs: c.app.timeoutMs ?? Math.min(5000, Math.floor(c.intervalMs * 0.8)) },
  }));

export type AgentConfig = z.output<typeof agentConfig>;
export type AgentConfigInput = z.input<typeof agentConfig>;
export type AppConfig = NonNullable<AgentConfig["app"]>;
export type AppBackendConfig = z.output<typeof appBackendConfig>;
export type Credential = z.output<typeof credential>;

export class ConfigError extends Error {}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${at ? `${at}.` : ""}${k}: unknown field`);
  }
  if (issue.code === "invalid_union") {
    // A back-end is { name, url } or { name, tcp }: say that, not two sets of errors.
    return [`${at || "(root)"}: must be { "name", "url" } or { "name", "tcp": "host:port" }`];
  }
  return [`${at || "(root)"}: ${issue.message}`];
}

/** Validates an already parsed config; throws ConfigError listing every bad field. */
export function parseConfig(raw: unknown, source = "config"): AgentConfig {
  const result = agentConfig.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap(describeIssue);
  throw new ConfigError(`${source} is invalid:\n  ${lines.join("\n  ")}`);
}

export type LoadedConfig = { config: AgentConfig; warnings: string[] };

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  let mode: number;
  try {
    text = await readFile(file, "utf8");
    mode = (await stat(file)).mode;
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseConfig(raw, `config ${file}`);
  const warnings: string[] = [];
  // The file holds the agent's secrets: say so when others can read it.
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    warnings.push(`config ${file} holds secrets but is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return { config, warnings };
}
