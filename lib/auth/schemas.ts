import { z } from "zod";

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
