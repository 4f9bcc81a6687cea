import { z } from "zod";
import { emailSchema, passwordSchema } from "@/lib/auth/schemas";
import { pageQuery } from "@/lib/common/schemas";

export const roleValues = ["ADMIN", "OPERATOR", "VIEWER"] as const;
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
