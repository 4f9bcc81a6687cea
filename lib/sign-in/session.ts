// Resolves who is calling, for pages and route handlers alike. The JWT only
// says which server-side session it belongs to (and its user); the session
// row, read with the user in one query, decides whether it still counts (not
// ended, idle or expired; user not disabled; same session version) and which
// role applies now (lib/sessions/service.ts). Fails closed.
import "server-only";
import { cache } from "react";
import { getToken } from "next-auth/jwt";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { authOptions } from "@/lib/sign-in/options";
import { hashApiToken, looksLikeApiToken } from "@/lib/auth/tokens";
import { lowerRole, type Actor } from "@/lib/common/actor";
import { can, type Permission } from "@/lib/auth/permissions";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { checkSession } from "@/lib/sessions/service";
import { signOutCode } from "@/lib/sessions/policy";
import { signInPath } from "@/lib/http/sign-out";
import type { SessionEndReason } from "@/lib/generated/prisma/enums";

/** The request header proxy.ts sets on page requests: the path and query asked for. */
export const PATH_HEADER = "x-clusterdeck-path";

/** A session cookie's verdict: who, or (when a session was presented and has ended) why not. */
export type SessionLookup = { actor: Actor; ended?: undefined } | { actor: null; ended: SessionEndReason | null };

/** The signed-in user behind a request's session cookie, if the session still counts. */
export async function sessionFrom(requestHeaders: Headers): Promise<SessionLookup> {
  const cookieHeader = requestHeaders.get("cookie");
  if (!cookieHeader) return { actor: null, ended: null };
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
  // A token from before server-side sessions (no sid) does not count either.
  if (!token?.uid || !token.sid) return { actor: null, ended: null };
  const check = await checkSession(token.sid, token.uid);
  if (!check.ok) return { actor: null, ended: check.reason };
  const { user } = check;
  if (check.display) {
    // Read-only by construction: VIEWER whatever its owner's role, and the handler refuses it any change.
    return {
      actor: {
        type: "USER",
        id: user.id,
        userId: user.id,
        label: `wall display "${check.display.label}" (${user.email})`,
        role: "VIEWER",
        sessionId: check.sessionId,
        display: true,
      },
    };
  }
  return { actor: { type: "USER", id: user.id, userId: user.id, label: user.email, role: user.role, sessionId: check.sessionId } };
}

/** The signed-in user behind a request's session cookie, if it still counts. */
export async function sessionActorFrom(requestHeaders: Headers): Promise<Actor | null> {
  return (await sessionFrom(requestHeaders)).actor;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** For server components, which see the request only through next/headers; once per request (layout and page share it). */
const sessionLookup = cache(async (): Promise<SessionLookup> => sessionFrom(new Headers(await headers())));

export async function sessionActor(): Promise<Actor | null> {
  return (await sessionLookup()).actor;
}

/**
 * For server components: the signed-in actor, or a redirect to the sign-in
 * page that says why the session ended and comes back here afterwards.
 */
export async function requireSession(): Promise<Actor> {
  const { actor, ended } = await sessionLookup();
  if (actor) return actor;
  const path = sameOriginPath((await headers()).get(PATH_HEADER), "http://console.invalid");
  redirect(signInPath(path, ended ? signOutCode(ended) : undefined));
}

/**
 * Who is calling: an API token when an Authorization header is present (and
 * then only that: a bad token is an error, not a fallback to the cookie),
 * otherwise the session cookie.
 */
export async function requestActor(
  requestHeaders: Headers,
): Promise<{ actor: Actor | null; via: "bearer" | "cookie" | null; ended?: SessionEndReason | null } | { error: string }> {
  const authorization = requestHeaders.get("authorization");
  if (authorization !== null) {
    const result = await bearerActor(authorization);
    return "error" in result ? result : { actor: result.actor, via: "bearer" };
  }
  const session = await sessionFrom(requestHeaders);
  if (!session.actor) return session.ended ? { actor: null, via: null, ended: session.ended } : { actor: null, via: null };
  return { actor: session.actor, via: "cookie" };
}

export type BearerResult = { actor: Actor } | { error: string };

export async function bearerActor(authorization: string): Promise<BearerResult> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1] || !looksLikeApiToken(match[1])) return { error: "Malformed Authorization header: expected 'Bearer cdk_…'" };
  const token = await db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(match[1]) },
    select: {
      id: true,
      name: true,
      role: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      owner: { select: { id: true, email: true, role: true, disabled: true } },
    },
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
  const actor = await requireSession();
  if (!can(actor.role, permission)) redirect("/forbidden");
  return actor;
}
