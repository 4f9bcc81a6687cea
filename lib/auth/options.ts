// next-auth: credentials sign-in, and OpenID Connect single sign-on when it
// is configured (lib/auth/oidc.ts); JWT sessions that carry the user id, role
// and session version. The role in the token is only a hint for the UI;
// every request re-reads the user (lib/auth/session.ts) and fails closed.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env, oidcSettings, sessionSecret } from "@/lib/env";
import { dummyPasswordHash, verifyPassword } from "@/lib/auth/password";
import { lockedFor, recordFailure, recordSuccess, throttleKeys } from "@/lib/auth/throttle";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { recordAudit } from "@/lib/audit/service";
import { log } from "@/lib/log";
import { systemActor } from "@/lib/auth/actor";
import type { Role } from "@/lib/generated/prisma/enums";
import { signInSchema } from "@/lib/auth/schemas";
import { OIDC_PROVIDER_ID, oidcAccount, oidcProvider, oidcSignIn, type OidcClaims } from "@/lib/auth/oidc";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role };
  }
  interface User {
    /** Set by the credentials provider; an OIDC sign-in reads them from the database. */
    role?: Role;
    sessionVersion?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
    sv?: number;
  }
}

export class ThrottledError extends Error {}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const maxAge = env().CLUSTERDECK_SESSION_MAX_AGE;
  const oidc = oidcSettings();
  cached = {
    secret: sessionSecret(),
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
          const clientIp = clientIpFrom((req?.headers ?? {}) as Record<string, string>);
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
          await db.$transaction(async (tx) => {
            await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
            await recordAudit(tx, { ...ctx, actor: { type: "USER", id: user.id, userId: user.id, label: user.email, role: user.role } }, {
              action: "auth.sign-in",
              targetType: "USER",
              targetId: user.id,
            });
          });
          return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
        },
      }),
      ...(oidc ? [oidcProvider(oidc)] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        if (!oidc || !profile) return false;
        try {
          const result = await oidcSignIn(oidc, profile as OidcClaims);
          // A path of our own, not next-auth's error page: the code becomes words on /login.
          return result.ok ? true : `/login?error=${result.denial}`;
        } catch (error) {
          // next-auth would put a thrown message in the URL; keep internals in the log.
          log.error("single sign-on provisioning failed", { error: error instanceof Error ? error.message : String(error) });
          return "/login?error=Callback";
        }
      },
      async jwt({ token, user, account, profile }) {
        if (!user) return token;
        if (account?.provider === OIDC_PROVIDER_ID) {
          // The id next-auth has is the provider's subject; the session needs ours.
          const row = profile ? await oidcAccount(profile as OidcClaims) : null;
          if (!row || row.disabled) throw new Error("single sign-on account vanished during sign-in");
          token.uid = row.id;
          token.role = row.role;
          token.sv = row.sessionVersion;
          token.email = row.email;
          token.name = row.name;
          token.sub = row.id;
          return token;
        }
        token.uid = user.id;
        token.role = user.role;
        token.sv = user.sessionVersion;
        return token;
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
  };
  return cached;
}
