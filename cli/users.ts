// `clusterdeck users …`: create, list, change role, disable/enable and reset
// the password of console users. Same rules and audit actions as the web's
// lib/users/service.ts (which is bound to Next's client, hence not reused):
// every change audited in its transaction; role change, disabling and reset
// bump sessionVersion so existing sessions end; the last active ADMIN stays.
import { hashPassword } from "@/lib/auth/password";
import { throttleKeys } from "@/lib/auth/throttle";
import { changes, recordAudit, type AuditContext } from "@/lib/audit/service";
import type { Db, Tx } from "@/lib/db/client";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Prisma } from "@/lib/generated/prisma/client";
import { str, type Command } from "./args";
import { cliAuditContext, isUniqueViolation, parseEmail, parseRole } from "./common";
import { withDb } from "./database";
import { CliError } from "./errors";
import { formatDate, print, printJson, table } from "./output";
import { readNewPassword } from "./password-input";

export const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  sessionVersion: true,
  lastLoginAt: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

export type UserView = Prisma.UserGetPayload<{ select: typeof userSelect }>;

// ---------------------------------------------------------------- data

export async function createUser(
  db: Db,
  ctx: AuditContext,
  input: { email: string; role: Role; name?: string; password: string },
  summaryExtra: Prisma.InputJsonObject = {},
): Promise<UserView> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email, role: input.role, name: input.name ?? "", passwordHash },
        select: userSelect,
      });
      await recordAudit(tx, ctx, {
        action: "user.create",
        targetType: "USER",
        targetId: user.id,
        summary: { email: user.email, role: user.role, name: user.name, ...summaryExtra },
      });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new CliError(`A user with email ${input.email} already exists.`);
    throw error;
  }
}

export function listUsers(db: Db): Promise<UserView[]> {
  return db.user.findMany({ select: userSelect, orderBy: { email: "asc" } });
}

/**
 * Serialises admin changes with the web's (same advisory lock as
 * lib/users/service.ts), so two concurrent demotions cannot each believe the
 * other admin remains. Returns the active admins' ids.
 */
async function lockActiveAdmins(tx: Tx): Promise<string[]> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('clusterdeck.admins'))`;
  const rows = await tx.user.findMany({ where: { role: "ADMIN", disabled: false }, select: { id: true } });
  return rows.map((r) => r.id);
}

async function findUser(tx: Tx, email: string): Promise<UserView> {
  const user = await tx.user.findUnique({ where: { email }, select: userSelect });
  if (!user) throw new CliError(`No user with email ${email}.`);
  return user;
}

function refuseLastAdmin(user: UserView, activeAdmins: string[], what: string): void {
  const isActiveAdmin = user.role === "ADMIN" && !user.disabled;
  if (isActiveAdmin && activeAdmins.filter((id) => id !== user.id).length === 0) {
    throw new CliError(
      `${user.email} is the last active ADMIN and cannot be ${what}: ` +
        `make another user an active ADMIN first.`,
    );
  }
}

type Change = { user: UserView; changed: boolean };

export async function setUserRole(db: Db, ctx: AuditContext, email: string, role: Role): Promise<Change> {
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await findUser(tx, email);
    if (user.role === role) return { user, changed: false };
    if (role !== "ADMIN") refuseLastAdmin(user, admins, "demoted");
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { role, sessionVersion: { increment: 1 } },
      select: userSelect,
    });
    await recordAudit(tx, ctx, {
      action: "user.update",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email, changes: changes(user, { role }) } as Prisma.InputJsonObject,
    });
    return { user: updated, changed: true };
  });
}

export async function setUserDisabled(db: Db, ctx: AuditContext, email: string, disabled: boolean): Promise<Change> {
  return db.$transaction(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const user = await findUser(tx, email);
    if (user.disabled === disabled) return { user, changed: false };
    if (disabled) refuseLastAdmin(user, admins, "disabled");
    const updated = await tx.user.update({
      where: { id: user.id },
      // Disabling ends every session at once; enabling needs no bump (disabled sessions were already refused).
      data: { disabled, ...(disabled ? { sessionVersion: { increment: 1 } } : {}) },
      select: userSelect,
    });
    await recordAudit(tx, ctx, {
      action: "user.update",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email, changes: changes(user, { disabled }) } as Prisma.InputJsonObject,
    });
    return { user: updated, changed: true };
  });
}

export async function resetUserPassword(db: Db, ctx: AuditContext, email: string, password: string): Promise<UserView> {
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await findUser(tx, email);
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, sessionVersion: { increment: 1 } },
      select: userSelect,
    });
    // A reset is how a locked-out user gets back in: clear the email's sign-in lockout too.
    await tx.loginThrottle.deleteMany({ where: { key: { in: throttleKeys(email, null) } } });
    await recordAudit(tx, ctx, {
      action: "user.reset-password",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email },
    });
    return updated;
  });
}

// ---------------------------------------------------------------- commands

const passwordDetails =
  "The password is read from CLUSTERDECK_PASSWORD, else from stdin (first line); on a terminal " +
  "you are prompted without echo. It is never taken from the command line.";

export const userCommands: Command[] = [
  {
    name: "users create",
    summary: "Create a console user.",
    details: passwordDetails,
    options: {
      email: { type: "string", value: "EMAIL", description: "Sign-in email (stored lower-case)", required: true },
      role: { type: "string", value: "ROLE", description: "ADMIN, OPERATOR or VIEWER", required: true },
      name: { type: "string", value: "NAME", description: "Display name" },
    },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const role = parseRole(str(values, "role")!);
      const name = str(values, "name")?.trim();
      const password = await readNewPassword();
      const user = await withDb("users create", (db) => createUser(db, cliAuditContext(), { email, role, name, password }));
      print(`Created ${user.role} ${user.email} (id ${user.id}).`);
    },
  },
  {
    name: "users list",
    summary: "List console users.",
    options: { json: { type: "boolean", description: "Print JSON instead of a table" } },
    async run(values) {
      const users = await withDb("users list", listUsers);
      if (values.json) return printJson(users);
      if (users.length === 0) return print("No users yet.");
      print(
        table(users, [
          { header: "email", value: (u) => u.email },
          { header: "name", value: (u) => u.name || "-" },
          { header: "role", value: (u) => u.role },
          { header: "status", value: (u) => (u.disabled ? "disabled" : "active") },
          { header: "last sign-in", value: (u) => formatDate(u.lastLoginAt) },
          { header: "created", value: (u) => formatDate(u.createdAt) },
        ]),
      );
    },
  },
  {
    name: "users set-role",
    summary: "Change a user's role (their sessions end).",
    options: {
      email: { type: "string", value: "EMAIL", description: "The user", required: true },
      role: { type: "string", value: "ROLE", description: "ADMIN, OPERATOR or VIEWER", required: true },
    },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const role = parseRole(str(values, "role")!);
      const { user, changed } = await withDb("users set-role", (db) => setUserRole(db, cliAuditContext(), email, role));
      print(changed ? `${user.email} is now ${user.role}; their sessions were ended.` : `${user.email} is already ${user.role}; nothing changed.`);
    },
  },
  {
    name: "users disable",
    summary: "Disable a user: they can no longer sign in, and their sessions end.",
    options: { email: { type: "string", value: "EMAIL", description: "The user", required: true } },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const { user, changed } = await withDb("users disable", (db) => setUserDisabled(db, cliAuditContext(), email, true));
      print(changed ? `${user.email} is disabled; their sessions were ended.` : `${user.email} was already disabled.`);
    },
  },
  {
    name: "users enable",
    summary: "Enable a disabled user again.",
    options: { email: { type: "string", value: "EMAIL", description: "The user", required: true } },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const { user, changed } = await withDb("users enable", (db) => setUserDisabled(db, cliAuditContext(), email, false));
      print(changed ? `${user.email} is enabled.` : `${user.email} was already enabled.`);
    },
  },
  {
    name: "users reset-password",
    summary: "Set a new password for a user (their sessions end, sign-in lockout is cleared).",
    details: passwordDetails,
    options: { email: { type: "string", value: "EMAIL", description: "The user", required: true } },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const password = await readNewPassword();
      const user = await withDb("users reset-password", (db) => resetUserPassword(db, cliAuditContext(), email, password));
      print(`New password set for ${user.email}; their sessions were ended.`);
    },
  },
];
