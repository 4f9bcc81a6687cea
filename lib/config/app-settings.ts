// What the console pushes to app nodes: one JSON settings file the app
// re-reads on its reload hook. The same schema is checked by the console when
// a revision is saved and by the agent before it writes anything.
import { z } from "zod";

export const databaseUrl = z
  .string()
  .max(500)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "" && u.pathname.length > 1;
    } catch {
      return false;
    }
  }, "must be a postgresql://user:password@host:port/database URL");

export const appSettings = z.strictObject({
  /** The database endpoint the app writes to (the primary). Promote re-points it. */
  database: z.strictObject({ url: databaseUrl }),
  /** A session unused this long is forgotten. */
  sessionIdleSeconds: z.number().int().min(5).max(86_400).default(60),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type AppSettings = z.output<typeof appSettings>;
