// What the console pushes to app nodes: one JSON settings file the app
// re-reads on its reload hook. The same schema is checked by the console when
// a revision is saved and by the agent before it writes anything.
import { z } from "zod";

/**
 * Connection parameters an app may be given in the URL's query. Drivers read
 * others as host paths (node-postgres and libpq: sslcert, sslkey,
 * sslrootcert, a host that is a unix socket folder) or as server settings
 * (options): a console field must not reach a file on the app's host.
 */
const SAFE_URL_PARAMS: Record<string, RegExp> = {
  sslmode: /^(disable|prefer|require|no-verify)$/,
  application_name: /^[A-Za-z0-9._ -]{1,63}$/,
  connect_timeout: /^\d{1,4}$/,
};

export const databaseUrl = z
  .string()
  .max(500)
  .superRefine((v, ctx) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a postgresql://user:password@host:port/database URL" });
      return;
    }
    if ((u.protocol !== "postgres:" && u.protocol !== "postgresql:") || u.hostname === "" || u.pathname.length <= 1) {
      ctx.addIssue({ code: "custom", message: "must be a postgresql://user:password@host:port/database URL" });
      return;
    }
    for (const [key, value] of u.searchParams) {
      const rule = SAFE_URL_PARAMS[key];
      if (!rule)
        ctx.addIssue({
          code: "custom",
          message: `the URL parameter '${key.slice(0, 40)}' is not allowed (allowed: ${Object.keys(SAFE_URL_PARAMS).join(", ")})`,
        });
      else if (!rule.test(value)) ctx.addIssue({ code: "custom", message: `the URL parameter '${key}' has a value it does not take` });
    }
  });

export const appSettings = z.strictObject({
  /** The database endpoint the app writes to (the primary). Promote re-points it. */
  database: z.strictObject({ url: databaseUrl }),
  /** A session unused this long is forgotten. */
  sessionIdleSeconds: z.number().int().min(5).max(86_400).default(60),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type AppSettings = z.output<typeof appSettings>;
