// User administration, for the web and the CLI alike. Disabling, a role
// change and a password reset end the user's open sessions at once (their
// rows, with the reason; and the session version, as a backstop). The last active admin can be neither disabled nor demoted.
// Single sign-on accounts (lib/users/sso.ts) get neither a password nor a
// role from here: their identity provider decides both.
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { changes, recordAudit, type AuditContext } from "@/lib/audit/service";
import { hashPassword } from "@/lib/auth/password";
import { throttleKeys } from "@/lib/auth/throttle";
import { endUserSessions } from "@/lib/sessions/service";
import { conflict, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type { UserCreate, UserUpdate, userList } from "@/lib/users/schemas";
import type { z } from "zod";

export const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  /** LOCAL (password) or OIDC (single sign-on). */
  authSource: true,
  disabled: true,
  lastLoginAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserSelect;

export type UserView = Prisma.UserGetPayload<{ select: typeof userSelect }>;

export async function listUsers(query: z.output<typeof userList>): Promise<Page<UserView>> {
  const where: Prisma.UserWhereInput = {
    role: query.role,
    ...(query.q ? { OR: [{ email: { contains: query.q, mode: "insensitive" } }, { name: { contains: query.q, mode: "insensitive" } }] } : {}),
  };
  const [items, total] = await Promise.all([
    db.user.findMany({ where, select: userSelect, orderBy: { email: "asc" }, skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
    db.user.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** Every user, by email (the CLI's list). */
export function listAllUsers(): Promise<UserView[]> {
  return db.user.findMany({ select: userSelect, orderBy: { email: "asc" } });
}

export function findUserByEmail(email: string): Promise<UserView | null> {
  return db.user.findUnique({ where: { email }, select: userSelect });
}

export async function createUser(input: UserCreate, audit: AuditContext): Promise<UserView> {
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: input.role, passwordHash },
      select: userSelect,
    });
    await recordAudit(tx, audit, {
      action: "user.create",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email, role: user.role, name: user.name },
    });
    return user;
  });
}

/** Serialises admin changes, so two requests cannot each remove "another" admin and leave none. */
async function lockAdmins(tx: Tx) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('clusterdeck.admins'))`;
}

async function assertAnotherActiveAdmin(tx: Tx, user: { id: string; email: string }, what: "demoted" | "disabled") {
  const others = await tx.user.count({ where: { role: "ADMIN", disabled: false, id: { not: user.id } } });
  if (others === 0) throw conflict(`${user.email} is the last active ADMIN and cannot be ${what}: make another user an active ADMIN first.`);
}

export async function updateUser(id: string, input: UserUpdate, audit: AuditContext): Promise<UserView> {
  return db.$transaction(async (tx) => {
    await lockAdmins(tx);
    const before = await tx.user.findUnique({ where: { id }, select: userSelect });
    if (!before) throw notFound("User");
    if (before.authSource === "OIDC" && input.role !== undefined && input.role !== before.role) {
      throw conflict(
        `${before.email} signs in with single sign-on: its role follows its groups at the identity provider, at each sign-in. Change the groups there, or disable the account to end its access now.`,
      );
    }
    const losesAdmin = before.role === "ADMIN" && !before.disabled && ((input.role && input.role !== "ADMIN") || input.disabled === true);
    if (losesAdmin) await assertAnotherActiveAdmin(tx, before, input.disabled === true ? "disabled" : "demoted");
    const endsSessions = (input.role !== undefined && input.role !== before.role) || (input.disabled === true && !before.disabled);
    const user = await tx.user.update({
      where: { id },
      data: { ...input, sessionVersion: endsSessions ? { increment: 1 } : undefined },
      select: userSelect,
    });
    const disabling = input.disabled === true && !before.disabled;
    const sessionsEnded = endsSessions ? await endUserSessions(tx, id, disabling ? "DISABLED" : "ROLE_CHANGE") : 0;
    await recordAudit(tx, audit, {
      action: "user.update",
      targetType: "USER",
      targetId: id,
      summary: { email: user.email, changes: changes(before, input), ...(sessionsEnded ? { sessionsEnded } : {}) } as Prisma.InputJsonValue,
    });
    return user;
  });
}

export async function resetPassword(id: string, password: string, audit: AuditContext): Promise<UserView> {
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const exists = await tx.user.findUnique({ where: { id }, select: { id: true, email: true, authSource: true } });
    if (!exists) throw notFound("User");
    if (exists.authSource !== "LOCAL") {
      throw conflict(`${exists.email} signs in with single sign-on and has no password here: its identity provider checks who it is.`);
    }
    const user = await tx.user.update({ where: { id }, data: { passwordHash, sessionVersion: { increment: 1 } }, select: userSelect });
    const sessionsEnded = await endUserSessions(tx, id, "PASSWORD_RESET");
    // A reset is how a locked-out user gets back in: clear the email's sign-in lockout too.
    await tx.loginThrottle.deleteMany({ where: { key: { in: throttleKeys(user.email, null) } } });
    await recordAudit(tx, audit, {
      action: "user.reset-password",
      targetType: "USER",
      targetId: id,
      summary: { email: user.email, ...(sessionsEnded ? { sessionsEnded } : {}) },
    });
    return user;
  });
}
