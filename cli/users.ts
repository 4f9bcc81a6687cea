// `clusterdeck users …`: create, list, change role, disable/enable and reset
// the password of console users, through lib/users/service.ts like the web:
// the same rules (the last active ADMIN stays; role change, disabling and
// reset end the user's sessions) and the same audit entries, as actor "cli".
// What is the CLI's own: users named by email, and a change to what already
// is being a no-op (exit 0, no audit entry), so scripts can repeat it.
import type { Role } from "@/lib/generated/prisma/enums";
import { createUser, listAllUsers, resetPassword, updateUser, type UserView } from "@/lib/users/service";
import { str, type Command } from "./args";
import { cliAuditContext, isUniqueViolation, parseEmail, parseRole, userByEmail } from "./common";
import { withDb } from "./database";
import { CliError } from "./errors";
import { formatDate, print, printJson, table } from "./output";
import { readNewPassword } from "./password-input";

/** Sets the role or the disabled flag of the user with this email, unless it already has that value. */
function changeUser(command: string, email: string, change: { role: Role } | { disabled: boolean }): Promise<{ user: UserView; changed: boolean }> {
  return withDb(command, async () => {
    const user = await userByEmail(email);
    const same = "role" in change ? user.role === change.role : user.disabled === change.disabled;
    if (same) return { user, changed: false };
    return { user: await updateUser(user.id, change, cliAuditContext()), changed: true };
  });
}

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
      const user = await withDb("users create", async () => {
        try {
          return await createUser({ email, role, name: name ?? "", password }, cliAuditContext());
        } catch (error) {
          if (isUniqueViolation(error)) throw new CliError(`A user with email ${email} already exists.`);
          throw error;
        }
      });
      print(`Created ${user.role} ${user.email} (id ${user.id}).`);
    },
  },
  {
    name: "users list",
    summary: "List console users.",
    options: { json: { type: "boolean", description: "Print JSON instead of a table" } },
    async run(values) {
      const users = await withDb("users list", listAllUsers);
      if (values.json) return printJson(users);
      if (users.length === 0) return print("No users yet.");
      print(
        table(users, [
          { header: "email", value: (u) => u.email },
          { header: "name", value: (u) => u.name || "-" },
          { header: "role", value: (u) => u.role },
          { header: "sign-in", value: (u) => (u.authSource === "OIDC" ? "sso" : "password") },
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
      const { user, changed } = await changeUser("users set-role", email, { role });
      print(changed ? `${user.email} is now ${user.role}; their sessions were ended.` : `${user.email} is already ${user.role}; nothing changed.`);
    },
  },
  {
    name: "users disable",
    summary: "Disable a user: they can no longer sign in, and their sessions end.",
    options: { email: { type: "string", value: "EMAIL", description: "The user", required: true } },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const { user, changed } = await changeUser("users disable", email, { disabled: true });
      print(changed ? `${user.email} is disabled; their sessions were ended.` : `${user.email} was already disabled.`);
    },
  },
  {
    name: "users enable",
    summary: "Enable a disabled user again.",
    options: { email: { type: "string", value: "EMAIL", description: "The user", required: true } },
    async run(values) {
      const email = parseEmail(str(values, "email")!);
      const { user, changed } = await changeUser("users enable", email, { disabled: false });
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
      const user = await withDb("users reset-password", async () => {
        const { id } = await userByEmail(email);
        return resetPassword(id, password, cliAuditContext());
      });
      print(`New password set for ${user.email}; their sessions were ended.`);
    },
  },
];
