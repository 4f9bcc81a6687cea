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

/** A wall display: a name people recognise, and how many days it works before someone opens a new link. */
export const displayCreate = z.strictObject({
  label: z
    .string({ error: "Name is required" })
    .trim()
    .min(1, "Name is required")
    .max(60, "At most 60 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._'()-]*$/, "Letters, digits, spaces and . _ ' ( ) -"),
  days: z.number().int("Whole days").min(1, "From 1 to 90 days").max(90, "From 1 to 90 days").default(30),
});

/** The one-time code from a display link's fragment (32 random bytes, base64url). */
export const displayClaim = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "Not a display link code") });

export type DisplayCreate = z.infer<typeof displayCreate>;
