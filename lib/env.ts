// The one place that reads process.env. Everything else asks env().
import path from "node:path";
import { z } from "zod";

/** A comma-separated list of group names; blanks dropped. */
const groupList = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean),
  );

/** An empty value counts as unset (compose files and unit files often write VAR=). */
const blankIsUnset = <T extends z.ZodType>(inner: T) => z.preprocess((v) => (v === "" ? undefined : v), inner.optional());

const schema = z
  .object({
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
    /** Absolute cap of a browser session in seconds, whatever the activity. */
    CLUSTERDECK_SESSION_MAX_AGE: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(12 * 3600),
    /** A browser session with no user activity for this many seconds ends. */
    CLUSTERDECK_SESSION_IDLE_TIMEOUT: z.coerce
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .default(30 * 60),
    /** The public URL of the console; next-auth reads it too. */
    NEXTAUTH_URL: blankIsUnset(z.string().url()),
    CLUSTERDECK_ADMIN_EMAIL: z.string().email().default("admin@clusterdeck.local"),
    CLUSTERDECK_ADMIN_PASSWORD: z.string().min(12).optional(),
    /** Comma-separated origins accepted on cookie-authenticated mutations, beside the request's own. */
    CLUSTERDECK_TRUSTED_ORIGINS: z.string().default(""),
    /** PEM file of the CA (or self-signed certificates) that agents' TLS certificates must chain to; system CAs otherwise. */
    CLUSTERDECK_AGENT_CA_FILE: z.string().optional(),
    /**
     * Bearer token Prometheus sends to scrape the web process's /metrics (16+
     * characters). Unset: /metrics answers 403 to everyone (closed by default).
     */
    CLUSTERDECK_METRICS_TOKEN: blankIsUnset(z.string().min(16, "must be at least 16 characters")),
    /** When set, a worker serves Prometheus /metrics on 127.0.0.1 at this port. */
    CLUSTERDECK_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** OpenID Connect single sign-on: enabled when issuer, client id and secret are all set. */
    CLUSTERDECK_OIDC_ISSUER: blankIsUnset(z.string().url()),
    CLUSTERDECK_OIDC_CLIENT_ID: blankIsUnset(z.string()),
    CLUSTERDECK_OIDC_CLIENT_SECRET: blankIsUnset(z.string()),
    /** The label of the sign-in button: "Sign in with <name>". */
    CLUSTERDECK_OIDC_NAME: z.string().trim().min(1).max(60).default("Single sign-on"),
    /** Scopes asked for; some providers refuse a scope they do not know (drop "groups" there). */
    CLUSTERDECK_OIDC_SCOPES: z.string().trim().min(1).default("openid email profile groups"),
    /** The ID token or userinfo claim that lists the user's groups. */
    CLUSTERDECK_OIDC_GROUPS_CLAIM: z.string().trim().min(1).default("groups"),
    CLUSTERDECK_OIDC_ADMIN_GROUPS: groupList,
    CLUSTERDECK_OIDC_OPERATOR_GROUPS: groupList,
    CLUSTERDECK_OIDC_VIEWER_GROUPS: groupList,
    /**
     * Check every API answer against its route's response schema and answer 500
     * when one does not match (tests and development). Off by default: on the
     * largest answers (50 metric series) the check costs about 2.5 times the
     * serialization itself.
     */
    CLUSTERDECK_CHECK_RESPONSES: z
      .enum(["0", "1", "true", "false"])
      .default("0")
      .transform((v) => v === "1" || v === "true"),
    CLUSTERDECK_DEBUG: z
      .enum(["0", "1", "true", "false"])
      .default("0")
      .transform((v) => v === "1" || v === "true"),
    /**
     * How many proxies stand in front of the console (0: none). The front server
     * (bin/front-server.mjs) appends the socket's address to X-Forwarded-For;
     * the client is the address this many hops from its right end.
     */
    CLUSTERDECK_TRUST_PROXY: z
      .string()
      .default("0")
      .transform((v, ctx) => {
        const hops = v.trim() === "" ? 0 : /^\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : NaN;
        if (Number.isInteger(hops)) return hops;
        ctx.addIssue({
          code: "custom",
          message: `must be the number of proxies in front of the console: 0 for none (the default), 1 behind one load balancer, 2 behind a load balancer and a reverse proxy; not ${JSON.stringify(v.slice(0, 40))}`,
        });
        return z.NEVER;
      }),
  })
  .superRefine((e, ctx) => {
    // Half a single sign-on setup is a mistake to stop at, not a feature to switch off quietly.
    const oidc = {
      CLUSTERDECK_OIDC_ISSUER: e.CLUSTERDECK_OIDC_ISSUER,
      CLUSTERDECK_OIDC_CLIENT_ID: e.CLUSTERDECK_OIDC_CLIENT_ID,
      CLUSTERDECK_OIDC_CLIENT_SECRET: e.CLUSTERDECK_OIDC_CLIENT_SECRET,
    };
    const set = Object.entries(oidc)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (set.length === 0) return;
    if (set.length < 3) {
      const missing = Object.keys(oidc).filter((k) => !set.includes(k));
      ctx.addIssue({
        code: "custom",
        path: [missing[0]!],
        message: `single sign-on is half configured: ${set.join(", ")} set but ${missing.join(", ")} missing (set all three, or none)`,
      });
      return;
    }
    if (e.CLUSTERDECK_OIDC_ADMIN_GROUPS.length + e.CLUSTERDECK_OIDC_OPERATOR_GROUPS.length + e.CLUSTERDECK_OIDC_VIEWER_GROUPS.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["CLUSTERDECK_OIDC_ADMIN_GROUPS"],
        message: "single sign-on is on but no group maps to a role: set CLUSTERDECK_OIDC_ADMIN_GROUPS, _OPERATOR_GROUPS and/or _VIEWER_GROUPS",
      });
    }
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

export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string;
  groupsClaim: string;
  groups: { ADMIN: string[]; OPERATOR: string[]; VIEWER: string[] };
};

/** Single sign-on settings, or null when it is not configured (env() already refused half a setup). */
export function oidcSettings(): OidcSettings | null {
  const e = env();
  if (!e.CLUSTERDECK_OIDC_ISSUER || !e.CLUSTERDECK_OIDC_CLIENT_ID || !e.CLUSTERDECK_OIDC_CLIENT_SECRET) return null;
  return {
    // Discovery appends /.well-known/…; a trailing slash would double it.
    issuer: e.CLUSTERDECK_OIDC_ISSUER.replace(/\/+$/, ""),
    clientId: e.CLUSTERDECK_OIDC_CLIENT_ID,
    clientSecret: e.CLUSTERDECK_OIDC_CLIENT_SECRET,
    name: e.CLUSTERDECK_OIDC_NAME,
    scopes: e.CLUSTERDECK_OIDC_SCOPES,
    groupsClaim: e.CLUSTERDECK_OIDC_GROUPS_CLAIM,
    groups: { ADMIN: e.CLUSTERDECK_OIDC_ADMIN_GROUPS, OPERATOR: e.CLUSTERDECK_OIDC_OPERATOR_GROUPS, VIEWER: e.CLUSTERDECK_OIDC_VIEWER_GROUPS },
  };
}

/** For tests that change the environment between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
