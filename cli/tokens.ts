// `clusterdeck tokens …`: API tokens for scripts. The token is printed once at
// creation; only its SHA-256 is stored, and nothing here ever prints it again.
import { lowerRole } from "@/lib/auth/actor";
import { generateApiToken } from "@/lib/auth/tokens";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import type { Role } from "@/lib/generated/prisma/enums";
import type { Prisma } from "@/lib/generated/prisma/client";
import { str, type Command } from "./args";
import { cliAuditContext, parseEmail, parseRole } from "./common";
import { withDb } from "./database";
import { CliError, UsageError } from "./errors";
import { formatDate, print, printJson, table } from "./output";

export const tokenSelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  createdAt: true,
  owner: { select: { id: true, email: true } },
} satisfies Prisma.ApiTokenSelect;

export type TokenView = Prisma.ApiTokenGetPayload<{ select: typeof tokenSelect }>;

const DAY_MS = 24 * 3600 * 1000;

export async function createToken(
  db: Db,
  ctx: AuditContext,
  input: { name: string; role: Role; ownerEmail: string; expiresInDays?: number },
): Promise<{ token: string; record: TokenView }> {
  const { token, prefix, tokenHash } = generateApiToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null;
  const record = await db.$transaction(async (tx) => {
    const owner = await tx.user.findUnique({ where: { email: input.ownerEmail }, select: { id: true, role: true, disabled: true } });
    if (!owner) throw new CliError(`No user with email ${input.ownerEmail}.`);
    if (owner.disabled) throw new CliError(`${input.ownerEmail} is disabled; enable the user before giving them a token.`);
    // A token never acts above its owner; refuse rather than hand out a token that silently acts lower.
    if (lowerRole(input.role, owner.role) !== input.role) {
      throw new CliError(`A ${input.role} token cannot belong to ${input.ownerEmail}, who is ${owner.role}.`);
    }
    const created = await tx.apiToken.create({
      data: { name: input.name, prefix, tokenHash, role: input.role, ownerId: owner.id, expiresAt },
      select: tokenSelect,
    });
    await recordAudit(tx, ctx, {
      action: "token.create",
      targetType: "API_TOKEN",
      targetId: created.id,
      summary: { name: created.name, role: created.role, owner: input.ownerEmail, prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return created;
  });
  return { token, record };
}

export function listTokens(db: Db): Promise<TokenView[]> {
  return db.apiToken.findMany({ select: tokenSelect, orderBy: { createdAt: "asc" } });
}

export async function revokeToken(db: Db, ctx: AuditContext, id: string): Promise<{ record: TokenView; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id }, select: tokenSelect });
    if (!token) throw new CliError(`No API token with id ${id}.`);
    if (token.revokedAt) return { record: token, changed: false };
    const record = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: tokenSelect });
    await recordAudit(tx, ctx, {
      action: "token.revoke",
      targetType: "API_TOKEN",
      targetId: id,
      summary: { name: token.name, owner: token.owner.email, prefix: token.prefix },
    });
    return { record, changed: true };
  });
}

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
      const expiresInDays = expires === undefined ? undefined : parseDays(expires);
      const { token, record } = await withDb("tokens create", (db) =>
        createToken(db, cliAuditContext(), { name, role, ownerEmail, expiresInDays }),
      );
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
      const tokens = await withDb("tokens list", listTokens);
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
      const { record, changed } = await withDb("tokens revoke", (db) => revokeToken(db, cliAuditContext(), id));
      print(changed ? `Revoked token "${record.name}" (${record.id}).` : `Token "${record.name}" (${record.id}) was already revoked.`);
    },
  },
];
