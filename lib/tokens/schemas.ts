import { z } from "zod";
import { pageOf, pageQuery, wireDate } from "@/lib/common/schemas";
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

/** A token as the API lists it: its prefix tells it apart, never its secret or hash. */
export const tokenItem = z.object({
  id: z.string(),
  name: z.string(),
  /** First characters of the token. */
  prefix: z.string(),
  role: z.enum(roleValues),
  /** Null: no expiry. */
  expiresAt: wireDate.nullable(),
  revokedAt: wireDate.nullable(),
  lastUsedAt: wireDate.nullable(),
  createdAt: wireDate,
  owner: z.object({ id: z.string(), email: z.string() }),
});
export type TokenItem = z.output<typeof tokenItem>;
export const tokenPage = pageOf(tokenItem);

/** The answer to creating a token: the token itself, in this answer only (it is stored hashed). */
export const createdToken = tokenItem.extend({ token: z.string().describe("The API token (cdk_…), shown this once") });
export type CreatedToken = z.output<typeof createdToken>;
