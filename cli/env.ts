// The CLI's own view of the environment, beside lib/env.ts (which describes
// the console's settings): the password input for `users` commands, and the
// environment handed to child processes.
import { z } from "zod";

const cliSchema = z.object({
  /** Password for `users create` / `users reset-password`, instead of stdin. */
  CLUSTERDECK_PASSWORD: z.string().optional(),
  /** next-auth's public URL; `start` sets http://localhost:PORT when unset. */
  NEXTAUTH_URL: z.string().url().optional(),
});

export function cliEnv(): z.infer<typeof cliSchema> {
  return cliSchema.parse(process.env);
}

/** The current environment plus `extra`, for a child process. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
