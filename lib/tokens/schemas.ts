import { z } from "zod";
import { pageQuery } from "@/lib/common/schemas";
import { roleValues } from "@/lib/users/schemas";

export const tokenCreate = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(63)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "Letters, digits, spaces, '.', '_' or '-'"),
  role: z.enum(roleValues),
  /** Days until the token stops working; null for no expiry. */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});
export const tokenList = z.strictObject({ ...pageQuery, includeRevoked: z.enum(["true", "false"]).default("false") });

export type TokenCreate = z.infer<typeof tokenCreate>;
