// The one place that reads process.env. Everything else asks env().
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Unset: the CLI starts an embedded PostgreSQL and sets it for the web process. */
  DATABASE_URL: z.string().url().optional(),
  CLUSTERDECK_DATA_DIR: z.string().default(".clusterdeck"),
  CLUSTERDECK_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Signs sessions and encrypts agent credentials; the CLI creates one in the data dir when unset. */
  CLUSTERDECK_SECRET: z.string().min(32).optional(),
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Address the console listens on (not HOSTNAME: containers set that to their id). */
  CLUSTERDECK_HOST: z.string().default("127.0.0.1"),
  CLUSTERDECK_SESSION_MAX_AGE: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  CLUSTERDECK_ADMIN_EMAIL: z.string().email().default("admin@clusterdeck.local"),
  CLUSTERDECK_ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Comma-separated origins accepted on cookie-authenticated mutations, beside the request's own. */
  CLUSTERDECK_TRUSTED_ORIGINS: z.string().default(""),
  /** PEM file of the CA (or self-signed certificates) that agents' TLS certificates must chain to; system CAs otherwise. */
  CLUSTERDECK_AGENT_CA_FILE: z.string().optional(),
  /** When set, a worker serves Prometheus /metrics on 127.0.0.1 at this port. */
  CLUSTERDECK_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  CLUSTERDECK_DEBUG: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  CLUSTERDECK_TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
      throw new Error(`Invalid environment:\n${lines.join("\n")}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function dataDir(): string {
  return path.resolve(env().CLUSTERDECK_DATA_DIR);
}

/** The secret that signs sessions; NEXTAUTH_SECRET wins when both are set. */
export function sessionSecret(): string {
  const e = env();
  const secret = e.NEXTAUTH_SECRET ?? e.CLUSTERDECK_SECRET;
  if (!secret) throw new Error("CLUSTERDECK_SECRET (or NEXTAUTH_SECRET) is not set");
  return secret;
}

export function requireDatabaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (start the console with `npx clusterdeck start`)");
  return url;
}

/** For tests that change the environment between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
