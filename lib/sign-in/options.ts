// next-auth: credentials sign-in, and OpenID Connect single sign-on when it
// is configured (lib/sign-in/oidc.ts). Each sign-in opens a server-side session
// (lib/sessions/service.ts) in the transaction that audits it; the JWT cookie
// carries that session's id and its user. The role in the token is only a
// hint for the UI: every request re-reads the session row with its user
// (lib/sign-in/session.ts) and fails closed, and so does next-auth's own
// /api/auth/session (the jwt callback below), which then drops the cookie
// instead of renewing it.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { db } from "@/lib/db";
import { env, oidcSettings, sessionSecret } from "@/lib/env";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { lockedFor, recordFailure, recordSuccess, throttleKeys } from "@/lib/auth/throttle";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { recordAudit } from "@/lib/audit/service";
import { log } from "@/lib/log";
import { systemActor } from "@/lib/common/actor";
import type { Role } from "@/lib/generated/prisma/enums";
import { signInSchema } from "@/lib/auth/schemas";
import { OIDC_PROVIDER_ID, oidcProvider, oidcSignIn, type OidcClaims } from "@/lib/sign-in/oidc";
import { callbackPathOrDefault } from "@/lib/auth/callback-url";
import { checkSession, createSession, endSession } from "@/lib/sessions/service";
import type { SessionEndReason } from "@/lib/generated/prisma/enums";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role };
  }
  interface User {
    /** Set by the credentials provider; an OIDC sign-in's come from its signIn callback. */
    role?: Role;
    /** The server-side session the sign-in opened. */
    sessionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** The server-side session (Session.id). */
    sid?: string;
    role?: Role;
  }
}

export class ThrottledError extends Error {}

/** Thrown by the jwt callback when /api/auth/session is asked about a session that no longer counts: next-auth then answers no session and clears the cookie. */
class SessionEndedError extends Error {
  constructor(readonly reason: SessionEndReason | null) {
    super(`session no longer counts (${reason ?? "unknown"})`);
    this.name = "SessionEndedError";
  }
}

type OidcSignedIn = { userId: string; email: string; name: string; role: Role; sessionId: string };

/**
 * From the OIDC signIn callback to the jwt callback of the same sign-in.
 * next-auth hands both the very same profile object (core/routes/callback.js),
 * so it is the key; nothing else can find the entry, and it goes with the object.
 */
const oidcSignIns = new WeakMap<object, OidcSignedIn>();

async function requestContext(): Promise<{ clientIp: string | null; userAgent: string | null }> {
  try {
    const h = await headers();
    return { clientIp: clientIpFrom(h), userAgent: h.get("user-agent") };
  } catch {
    return { clientIp: null, userAgent: null }; // outside a request (tests)
  }
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const maxAge = env().CLUSTERDECK_SESSION_MAX_AGE;
  const oidc = oidcSettings();
  cached = {
    secret: sessionSecret(),
    // The cookie and the JWT live at most the absolute cap; the session row
    // decides sooner (idle, sign-out, role change…).
    session: { strategy: "jwt", maxAge },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const parsed = signInSchema.safeParse({ email: credentials?.email, password: credentials?.password });
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          const requestHeaders = (req?.headers ?? {}) as Record<string, string>;
          const clientIp = clientIpFrom(requestHeaders);
          const keys = throttleKeys(email, clientIp);
          const wait = await lockedFor(db, keys);
          if (wait > 0) throw new ThrottledError(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} s.`);

          const user = await db.user.findUnique({ where: { email }, omit: { passwordHash: false } });
          // Hash even for an unknown email or a single sign-on account (which has
          // no password), so timing does not tell which emails exist or how they sign in.
          const verified = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
          const ok = verified && Boolean(user?.passwordHash);
          const ctx = { actor: systemActor(email), requestId: randomUUID(), clientIp };
          if (!user || !ok || user.disabled) {
            await recordFailure(db, keys);
            const reason = user?.disabled ? "disabled" : user && !user.passwordHash ? "no password (single sign-on account)" : "bad credentials";
            await recordAudit(db, ctx, {
              action: "auth.sign-in",
              targetType: "USER",
              targetId: user?.id ?? null,
              outcome: "DENIED",
              summary: { email, reason },
            });
            return null;
          }
          await recordSuccess(db, email);
          const userAgent = typeof requestHeaders["user-agent"] === "string" ? requestHeaders["user-agent"] : null;
          const sessionId = await db.$transaction(async (tx) => {
            await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
            const id = await createSession(tx, { userId: user.id, sessionVersion: user.sessionVersion, clientIp, userAgent });
            await recordAudit(
              tx,
              { ...ctx, actor: { type: "USER", id: user.id, userId: user.id, label: user.email, role: user.role } },
              {
                action: "auth.sign-in",
                targetType: "USER",
                targetId: user.id,
                summary: { session: id },
              },
            );
            return id;
          });
          return { id: user.id, email: user.email, name: user.name, role: user.role, sessionId };
        },
      }),
      ...(oidc ? [oidcProvider(oidc)] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        if (!oidc || !profile) return false;
        try {
          const result = await oidcSignIn(oidc, profile as OidcClaims, await requestContext());
          if (!result.ok) {
            // A path of our own, not next-auth's error page: the code becomes words on /login.
            return `/login?error=${result.denial}`;
          }
          const { user, sessionId } = result;
          oidcSignIns.set(profile, { userId: user.id, email: user.email, name: user.name, role: user.role, sessionId });
          return true;
        } catch (error) {
          // next-auth would put a thrown message in the URL; keep internals in the log.
          log.error("single sign-on provisioning failed", { error: error instanceof Error ? error.message : String(error) });
          return "/login?error=Callback";
        }
      },
      async jwt({ token, user, account, profile }) {
        if (!user) {
          // /api/auth/session (or an update): never renew a session that no longer counts.
          const check = await checkSession(token.sid, token.uid);
          if (!check.ok) throw new SessionEndedError(check.reason);
          token.role = check.display ? "VIEWER" : check.user.role;
          token.email = check.user.email;
          token.name = check.user.name;
          return token;
        }
        if (account?.provider === OIDC_PROVIDER_ID) {
          // The id next-auth has is the provider's subject; the session needs ours.
          const signedIn = profile ? oidcSignIns.get(profile) : undefined;
          if (!signedIn) throw new Error("single sign-on: no session was opened for this sign-in");
          oidcSignIns.delete(profile!);
          token.uid = signedIn.userId;
          token.sid = signedIn.sessionId;
          token.role = signedIn.role;
          token.email = signedIn.email;
          token.name = signedIn.name;
          token.sub = signedIn.userId;
          return token;
        }
        if (!user.sessionId) throw new Error("sign-in opened no session");
        token.uid = user.id;
        token.sid = user.sessionId;
        token.role = user.role;
        return token;
      },
      // After sign-in and sign-out: only pages of this console (lib/auth/callback-url.ts).
      redirect({ url, baseUrl }) {
        return `${baseUrl}${callbackPathOrDefault(url, baseUrl)}`;
      },
      session({ session, token }) {
        session.user = {
          id: token.uid ?? "",
          email: token.email ?? "",
          name: token.name ?? "",
          role: token.role ?? "VIEWER",
        };
        return session;
      },
    },
    events: {
      // next-auth clears the cookie; this ends the session itself, so a copy of the cookie is worth nothing.
      async signOut({ token }) {
        if (!token?.sid || !token.uid) return;
        const check = await db.session.findUnique({ where: { id: token.sid }, select: { userId: true, user: { select: { email: true, role: true } } } });
        if (!check || check.userId !== token.uid) return;
        const { clientIp } = await requestContext();
        const actor = { type: "USER" as const, id: token.uid, userId: token.uid, label: check.user.email, role: check.user.role, sessionId: token.sid };
        await endSession(token.sid, "SIGN_OUT", { actor, requestId: randomUUID(), clientIp });
      },
    },
    logger: {
      // A session that ended, or a cookie that no longer decodes, is an answer ("no session"), not a server error.
      error(code, metadata) {
        const name = metadata instanceof Error ? metadata.name : (metadata as { name?: string } | undefined)?.name;
        const message = metadata instanceof Error ? metadata.message : (metadata as { message?: string } | undefined)?.message;
        if (code === "JWT_SESSION_ERROR" && (name === "SessionEndedError" || /JWE|JWT|decrypt|exp/i.test(String(message ?? "")))) {
          log.info("auth.session-refused", { reason: String(message ?? "") });
          return;
        }
        log.error("next-auth.error", { code, error: String(message ?? "") });
      },
      warn(code) {
        log.warn("next-auth.warning", { code });
      },
      debug() {},
    },
  };
  return cached;
}
