// `clusterdeck tokens …`: API tokens for scripts, through lib/tokens/service.ts
// like the web (same role cap, same audit entries, as actor "cli"); the owner
// is named with --owner. The token is printed once at creation; only its
// SHA-256 is stored, and nothing here ever prints it again.
import { createToken, findToken, listAllTokens, revokeToken, type TokenView } from "@/lib/tokens/service";
import { str, type Command } from "./args";
import { cliAuditContext, parseEmail, parseRole, userByEmail } from "./common";
import { withDb } from "./database";
import { CliError, UsageError } from "./errors";
import { formatDate, print, printJson, table } from "./output";

export function tokenStatus(t: TokenView, now = new Date()): "revoked" | "expired" | "active" {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && t.expiresAt <= now) return "expired";
  return "active";
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new UsageError(`--expires-in must be a whole number of days between 1 and 3650, not "${value}"`);
  }
  return days;
}

export const tokenCommands: Command[] = [
  {
    name: "tokens create",
    summary: "Create an API token (for Authorization: Bearer …). It is printed once.",
    options: {
      name: { type: "string", value: "NAME", description: "What the token is for", required: true },
      role: { type: "string", value: "ROLE", description: "ADMIN, OPERATOR or VIEWER (not above the owner's)", required: true },
      owner: { type: "string", value: "EMAIL", description: "The user the token acts for", required: true },
      "expires-in": { type: "string", value: "DAYS", description: "Expire after this many days (default: never)" },
      json: { type: "boolean", description: "Print JSON (token included) instead of text" },
    },
    async run(values) {
      const name = str(values, "name")!.trim();
      if (!name || name.length > 100) throw new UsageError("--name must be 1 to 100 characters");
      const role = parseRole(str(values, "role")!);
      const ownerEmail = parseEmail(str(values, "owner")!);
      const expires = str(values, "expires-in");
      const expiresInDays = expires === undefined ? null : parseDays(expires);
      const { token, ...record } = await withDb("tokens create", async () => {
        const owner = await userByEmail(ownerEmail);
        return createToken({ name, role, expiresInDays }, cliAuditContext(), owner.id);
      });
      if (values.json) return printJson({ ...record, token });
      print(`Created ${record.role} token "${record.name}" for ${record.owner.email} (id ${record.id}, expires ${formatDate(record.expiresAt)}).`);
      print("Copy it now, it is not shown again:");
      print("");
      print(`  ${token}`);
      print("");
    },
  },
  {
    name: "tokens list",
    summary: "List API tokens (never their secrets).",
    options: { json: { type: "boolean", description: "Print JSON instead of a table" } },
    async run(values) {
      const tokens = await withDb("tokens list", listAllTokens);
      if (values.json) return printJson(tokens.map((t) => ({ ...t, status: tokenStatus(t) })));
      if (tokens.length === 0) return print("No API tokens.");
      print(
        table(tokens, [
          { header: "id", value: (t) => t.id },
          { header: "name", value: (t) => t.name },
          { header: "prefix", value: (t) => `${t.prefix}…` },
          { header: "role", value: (t) => t.role },
          { header: "owner", value: (t) => t.owner.email },
          { header: "status", value: (t) => tokenStatus(t) },
          { header: "expires", value: (t) => formatDate(t.expiresAt) },
          { header: "last used", value: (t) => formatDate(t.lastUsedAt) },
        ]),
      );
    },
  },
  {
    name: "tokens revoke",
    summary: "Revoke an API token at once.",
    options: { id: { type: "string", value: "ID", description: "Token id (see tokens list)", required: true } },
    async run(values) {
      const id = str(values, "id")!.trim();
      const message = await withDb("tokens revoke", async () => {
        const token = await findToken(id);
        if (!token) throw new CliError(`No API token with id ${id}.`);
        // Where the API answers 409, revoking twice is fine here: a script may repeat itself.
        if (token.revokedAt) return `Token "${token.name}" (${token.id}) was already revoked.`;
        const record = await revokeToken(id, cliAuditContext());
        return `Revoked token "${record.name}" (${record.id}).`;
      });
      print(message);
    },
  },
];
