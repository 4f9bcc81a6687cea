// Small pieces shared by the users and tokens commands.
import { randomUUID } from "node:crypto";
import { systemActor } from "@/lib/auth/actor";
import { emailSchema } from "@/lib/auth/schemas";
import type { AuditContext } from "@/lib/audit/service";
import type { Role } from "@/lib/generated/prisma/enums";
import { UsageError } from "./errors";

export const roleNames = ["ADMIN", "OPERATOR", "VIEWER"] as const satisfies readonly Role[];

/** Every CLI change is audited as the system actor "cli", with a fresh request id. */
export function cliAuditContext(): AuditContext {
  return { actor: systemActor("cli"), requestId: randomUUID(), clientIp: null };
}

export function parseRole(value: string): Role {
  const role = value.trim().toUpperCase();
  if (!(roleNames as readonly string[]).includes(role)) {
    throw new UsageError(`Unknown role "${value}": use one of ${roleNames.join(", ")}`);
  }
  return role as Role;
}

export function parseEmail(value: string): string {
  const parsed = emailSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`"${value}" is not a valid email address`);
  return parsed.data;
}

/** Prisma's unique-constraint error. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "P2002";
}
