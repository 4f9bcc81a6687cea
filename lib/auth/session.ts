// Resolves who is calling, for pages and route handlers alike. The JWT only
// says which user it was issued to; the user row decides whether it still
// counts (not disabled, same session version) and which role applies now.
import "server-only";
import { getToken } from "next-auth/jwt";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { authOptions } from "@/lib/auth/options";
import { hashApiToken, looksLikeApiToken } from "@/lib/auth/tokens";
import { lowerRole, type Actor } from "@/lib/auth/actor";
import { can, type Permission } from "@/lib/auth/permissions";

/** The signed-in user behind a request's session cookie, if it still counts. */
export async function sessionActorFrom(requestHeaders: Headers): Promise<Actor | null> {
  const cookieHeader = requestHeaders.get("cookie");
  if (!cookieHeader) return null;
  const cookieMap: Record<string, string> = {};
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    // Any cookie on our host comes along, ours or not: one that does not
    // percent-decode is not a session and must not fail the request (a 500).
    const value = safeDecode(part.slice(eq + 1).trim());
    if (value !== undefined) cookieMap[part.slice(0, eq).trim()] = value;
  }
  const token = await getToken({ req: { cookies: cookieMap, headers: Object.fromEntries(requestHeaders) } as never, secret: authOptions().secret });
  if (!token?.uid) return null;
  const user = await db.user.findUnique({
    where: { id: token.uid },
    select: { id: true, email: true, role: true, disabled: true, sessionVersion: true },
  });
  if (!user || user.disabled || token.sv !== user.sessionVersion) return null;
  return { type: "USER", id: user.id, userId: user.id, label: user.email, role: user.role };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** For server components, which see the request only through next/headers. */
export async function sessionActor(): Promise<Actor | null> {
  return sessionActorFrom(new Headers(await headers()));
}

/**
 * Who is calling: an API token when an Authorization header is present (and
 * then only that: a bad token is an error, not a fallback to the cookie),
 * otherwise the session cookie.
 */
export async function requestActor(requestHeaders: Headers): Promise<{ actor: Actor | null; via: "bearer" | "cookie" | null } | { error: string }> {
  const authorization = requestHeaders.get("authorization");
  if (authorization !== null) {
    const result = await bearerActor(authorization);
    return "error" in result ? result : { actor: result.actor, via: "bearer" };
  }
  const actor = await sessionActorFrom(requestHeaders);
  return { actor, via: actor ? "cookie" : null };
}

export type BearerResult = { actor: Actor } | { error: string };

export async function bearerActor(authorization: string): Promise<BearerResult> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1] || !looksLikeApiToken(match[1])) return { error: "Malformed Authorization header: expected 'Bearer cdk_…'" };
  const token = await db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(match[1]) },
    select: { id: true, name: true, role: true, expiresAt: true, revokedAt: true, lastUsedAt: true, owner: { select: { id: true, email: true, role: true, disabled: true } } },
  });
  const now = new Date();
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now) || token.owner.disabled) {
    return { error: "API token is invalid, expired or revoked" };
  }
  // Bounded write rate: lastUsedAt is for humans, a minute of precision will do.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return {
    actor: {
      type: "TOKEN",
      id: token.id,
      userId: token.owner.id,
      label: `${token.owner.email} (token ${token.name})`,
      role: lowerRole(token.role, token.owner.role),
    },
  };
}

/** For server components: the signed-in actor with this permission, or a redirect. */
export async function requirePage(permission: Permission): Promise<Actor> {
  const actor = await sessionActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, permission)) redirect("/forbidden");
  return actor;
}
