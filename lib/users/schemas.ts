import { z } from "zod";
import { emailSchema, passwordSchema } from "@/lib/auth/schemas";
import { pageOf, pageQuery, wireDate } from "@/lib/common/schemas";

export const roleValues = ["ADMIN", "OPERATOR", "VIEWER"] as const;
/** LOCAL signs in with a password; OIDC through the identity provider. */
export const authSourceValues = ["LOCAL", "OIDC"] as const;
const displayName = z.string().trim().max(100, "At most 100 characters");

export const userCreate = z.strictObject({
  email: emailSchema,
  name: displayName.default(""),
  role: z.enum(roleValues),
  password: passwordSchema,
});
export const userUpdate = z.strictObject({
  name: displayName.optional(),
  role: z.enum(roleValues).optional(),
  disabled: z.boolean().optional(),
});
export const passwordReset = z.strictObject({ password: passwordSchema });
export const userList = z.strictObject({ ...pageQuery, role: z.enum(roleValues).optional() });

export type UserCreate = z.infer<typeof userCreate>;
export type UserUpdate = z.infer<typeof userUpdate>;

/** A user as the API answers it: never the password hash nor the single sign-on subject. */
export const userItem = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roleValues),
  authSource: z.enum(authSourceValues),
  disabled: z.boolean(),
  lastLoginAt: wireDate.nullable(),
  createdAt: wireDate,
  updatedAt: wireDate,
});
export type UserItem = z.output<typeof userItem>;
export const userPage = pageOf(userItem);
