import { z } from "zod";
import { wireDate } from "@/lib/common/schemas";
import { roles } from "@/lib/auth/permissions";

/** The caller's browser session, as the idle warning reads it (relative times: the clocks need not agree). */
export const sessionStateSchema = z.object({
  idleSecondsLeft: z.number().int(),
  secondsLeft: z.number().int(),
  idleTimeoutSeconds: z.number().int(),
  lastActivityAt: wireDate,
  expiresAt: wireDate,
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

export const sessionKindValues = ["USER", "DISPLAY"] as const;

/** An open browser session or wall display, as the Sessions list shows it. */
export const sessionItem = z.object({
  id: z.string(),
  kind: z.enum(sessionKindValues),
  /** A wall display's name; null for a person's session. */
  label: z.string().nullable(),
  createdAt: wireDate,
  lastActivityAt: wireDate,
  expiresAt: wireDate,
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** A wall display whose link has not been opened yet: until when the link works. */
  claimExpiresAt: wireDate.nullable(),
  /** The person; for a wall display, the admin who made it. */
  user: z.object({ id: z.string(), email: z.string(), role: z.enum(roles) }),
});
export type SessionItem = z.output<typeof sessionItem>;
export const sessionListAnswer = z.object({ items: z.array(sessionItem) });

/** A new wall display, with the one-time code of its link (in this answer only; stored hashed). */
export const createdDisplay = sessionItem.extend({
  code: z.string().describe("The one-time code of the display's link (/display#<code>), good once within 15 minutes; shown this once"),
});
export type CreatedDisplay = z.output<typeof createdDisplay>;

/** A display link opened: the session cookie is set; where the display goes next. */
export const displayClaimAnswer = z.object({ label: z.string(), expiresAt: wireDate, next: z.string() });
export type DisplayClaimAnswer = z.output<typeof displayClaimAnswer>;
