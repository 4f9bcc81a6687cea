// Small pieces shared by the users and tokens commands.
import { randomUUID } from "node:crypto";
import { systemActor } from "@/lib/common/actor";
import { emailSchema } from "@/lib/auth/schemas";
import type { AuditContext } from "@/lib/audit/service";
import type { Role } from "@/lib/generated/prisma/enums";
import { roleValues } from "@/lib/users/schemas";
import { findUserByEmail, type UserView } from "@/lib/users/service";
import { CliError, UsageError } from "./errors";

/** Every CLI change is audited as the system actor "cli", with a fresh request id. */
export function cliAuditContext(): AuditContext {
  return { actor: systemActor("cli"), requestId: randomUUID(), clientIp: null };
}

export function parseRole(value: string): Role {
  const role = value.trim().toUpperCase();
  if (!(roleValues as readonly string[]).includes(role)) {
    throw new UsageError(`Unknown role "${value}": use one of ${roleValues.join(", ")}`);
  }
  return role as Role;
}

export function parseEmail(value: string): string {
  const parsed = emailSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`"${value}" is not a valid email address`);
  return parsed.data;
}

/** The CLI names users by email; the services take ids. Call inside withDb. */
export async function userByEmail(email: string): Promise<UserView> {
  const user = await findUserByEmail(email);
  if (!user) throw new CliError(`No user with email ${email}.`);
  return user;
}

/** Prisma's unique-constraint error. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "P2002";
}
