import { z } from "zod";

/** The caller's browser session, as the idle warning reads it (relative times: the clocks need not agree). */
export const sessionStateSchema = z.object({
  idleSecondsLeft: z.number().int(),
  secondsLeft: z.number().int(),
  idleTimeoutSeconds: z.number().int(),
  lastActivityAt: z.string(),
  expiresAt: z.string(),
});

export const sessionAnswer = z.object({ session: sessionStateSchema.nullable() });

export type SessionAnswer = z.infer<typeof sessionAnswer>;
