import { z } from "zod";
import { permissions, roles } from "@/lib/auth/permissions";

export const passwordPolicy = { minLength: 12, maxLength: 256 } as const;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: "Enter a valid email address" }));

export const passwordSchema = z
  .string()
  .min(passwordPolicy.minLength, `At least ${passwordPolicy.minLength} characters`)
  .max(passwordPolicy.maxLength, `At most ${passwordPolicy.maxLength} characters`);

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(passwordPolicy.maxLength) });

/** The caller of GET /api/v1/me: a signed-in user or an API token, its role and what the role may do. */
export const meView = z.object({
  type: z.enum(["USER", "TOKEN"]),
  /** The user's id, or the token's. */
  id: z.string(),
  userId: z.string(),
  label: z.string(),
  role: z.enum(roles),
  permissions: z.array(z.enum(permissions)),
});

export type Me = z.output<typeof meView>;
