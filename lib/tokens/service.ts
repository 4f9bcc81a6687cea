// API tokens, for the web and the CLI alike: shown once at creation, stored
// as a hash, revocable, expiring. A token's role can be at most its creator's
// and its owner's (enforced here and again when the token is used, in case the
// owner is demoted later).
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { generateApiToken } from "@/lib/auth/tokens";
import { lowerRole } from "@/lib/common/actor";
import { conflict, forbidden, notFound } from "@/lib/common/errors";
import type { Page } from "@/lib/common/schemas";
import type { TokenCreate, tokenList } from "@/lib/tokens/schemas";
import type { z } from "zod";

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

export async function listTokens(query: z.output<typeof tokenList>): Promise<Page<TokenView>> {
  const where: Prisma.ApiTokenWhereInput = {
    revokedAt: query.includeRevoked === "true" ? undefined : null,
    ...(query.q ? { name: { contains: query.q, mode: "insensitive" } } : {}),
  };
  const [items, total] = await Promise.all([
    db.apiToken.findMany({ where, select: tokenSelect, orderBy: { createdAt: "desc" }, skip: (query.page - 1) * query.pageSize, take: query.pageSize }),
    db.apiToken.count({ where }),
  ]);
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** Every token, revoked ones included, oldest first (the CLI's list). */
export function listAllTokens(): Promise<TokenView[]> {
  return db.apiToken.findMany({ select: tokenSelect, orderBy: { createdAt: "asc" } });
}

export function findToken(id: string): Promise<TokenView | null> {
  return db.apiToken.findUnique({ where: { id }, select: tokenSelect });
}

/** The owner is the acting user, unless named (the CLI, acting as the system, names one). */
export async function createToken(input: TokenCreate, audit: AuditContext, ownerId = audit.actor.userId): Promise<TokenView & { token: string }> {
  if (!ownerId) throw forbidden("Only a user can own a token");
  if (lowerRole(input.role, audit.actor.role) !== input.role) throw forbidden("A token cannot have a higher role than yours");
  const { token, prefix, tokenHash } = generateApiToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  return db.$transaction(async (tx) => {
    const owner = await tx.user.findUnique({ where: { id: ownerId }, select: { email: true, role: true, disabled: true } });
    if (!owner) throw notFound("User");
    if (owner.disabled) throw conflict(`${owner.email} is disabled; enable the user before giving them a token.`);
    // A token never acts above its owner; refuse rather than hand out a token that silently acts lower.
    if (lowerRole(input.role, owner.role) !== input.role) throw forbidden(`A ${input.role} token cannot belong to ${owner.email}, who is ${owner.role}.`);
    const created = await tx.apiToken.create({ data: { name: input.name, role: input.role, prefix, tokenHash, ownerId, expiresAt }, select: tokenSelect });
    await recordAudit(tx, audit, {
      action: "token.create",
      targetType: "API_TOKEN",
      targetId: created.id,
      summary: { name: input.name, role: input.role, owner: owner.email, prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { ...created, token };
  });
}

export async function revokeToken(id: string, audit: AuditContext): Promise<TokenView> {
  return db.$transaction(async (tx) => {
    const existing = await tx.apiToken.findUnique({ where: { id }, select: { revokedAt: true, name: true } });
    if (!existing) throw notFound("API token");
    if (existing.revokedAt) throw conflict("This token is already revoked");
    const revoked = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() }, select: tokenSelect });
    await recordAudit(tx, audit, { action: "token.revoke", targetType: "API_TOKEN", targetId: id, summary: { name: existing.name } });
    return revoked;
  });
}
