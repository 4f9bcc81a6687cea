// Single sign-on accounts. An OIDC user is its (issuer, subject) pair, never
// its email: the first sign-in creates the account, each later one refreshes
// email, name and role from what the identity provider says now. The role
// comes from the user's groups at every sign-in; when it changes the session
// version is bumped and the open sessions end, so sessions opened under the
// old role end at once. A sign-in opens a server-side session in the same
// transaction as its audit entry.
//
// Refused (each with an audit entry, outcome DENIED):
// - no mapped group (fail closed; an existing account's sessions end too);
// - a disabled account;
// - an email that another account already has. A local account is never
//   taken over by matching emails: whoever controls an identity provider
//   entry would otherwise get that local user's access.
import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { changes, recordAudit, type AuditContext } from "@/lib/audit/service";
import { systemActor } from "@/lib/common/actor";
import { emailSchema } from "@/lib/auth/schemas";
import type { SsoDenial } from "@/lib/auth/sign-in-errors";
import { userSelect, type UserView } from "@/lib/users/service";
import { createSession, endUserSessions } from "@/lib/sessions/service";

export type SsoIdentity = {
  issuer: string;
  subject: string;
  /** As the provider sent it; checked here. */
  email: unknown;
  name: unknown;
  groups: string[];
  /** What the groups grant (lib/auth/oidc-roles.ts); null refuses the sign-in. */
  role: Role | null;
};

export type SsoResult = { ok: true; user: UserView & { sessionVersion: number }; sessionId: string } | { ok: false; denial: SsoDenial };

type Request = Pick<AuditContext, "requestId" | "clientIp"> & { userAgent?: string | null };

const select = { ...userSelect, sessionVersion: true } satisfies Prisma.UserSelect;

/** Enough of a long group list to see why, without a huge audit row. */
const someGroups = (groups: string[]) => (groups.length > 50 ? [...groups.slice(0, 50), `… ${groups.length - 50} more`] : groups);

function displayName(value: unknown): string {
  return typeof value === "string" ? value.trim().slice(0, 100) : "";
}

export async function signInWithSso(identity: SsoIdentity, request: Request): Promise<SsoResult> {
  const parsedEmail = emailSchema.safeParse(identity.email);
  const email = parsedEmail.success ? parsedEmail.data : null;
  const name = displayName(identity.name);
  const about = { method: "oidc", issuer: identity.issuer, subject: identity.subject, email, groups: someGroups(identity.groups) };

  try {
    return await db.$transaction(async (tx) => {
      // Two sign-ins of one new identity at once must not both create it.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('clusterdeck.sso'), hashtext(${identity.issuer + "\n" + identity.subject}))`;
      const existing = await tx.user.findUnique({
        where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
        select,
      });

      const deny = async (denial: SsoDenial, reason: string) => {
        await recordAudit(
          tx,
          { ...request, actor: systemActor(email ?? `oidc:${identity.subject}`) },
          {
            action: "auth.sign-in",
            targetType: "USER",
            targetId: existing?.id ?? null,
            outcome: "DENIED",
            summary: { ...about, reason },
          },
        );
        return { ok: false, denial } as const;
      };

      if (existing?.disabled) return deny("SsoDisabled", "disabled");
      if (!identity.role) {
        // Whatever access this account had, the provider no longer grants any.
        if (existing) {
          await tx.user.update({ where: { id: existing.id }, data: { sessionVersion: { increment: 1 } } });
          await endUserSessions(tx, existing.id, "ACCESS_REVOKED");
        }
        return deny("SsoNoRole", "no group maps to a role");
      }
      if (!email) return deny("SsoNoEmail", "no valid email claim");
      const holder = await tx.user.findUnique({ where: { email }, select: { id: true, authSource: true } });
      if (holder && holder.id !== existing?.id) {
        return deny("SsoEmailTaken", holder.authSource === "LOCAL" ? "email belongs to a local account" : "email belongs to another single sign-on identity");
      }

      const user = existing
        ? await refresh(tx, existing, { email, name, role: identity.role }, request)
        : await create(tx, identity, { email, name, role: identity.role }, request);
      const sessionId = await createSession(tx, {
        userId: user.id,
        sessionVersion: user.sessionVersion,
        clientIp: request.clientIp,
        userAgent: request.userAgent ?? null,
      });
      await recordAudit(
        tx,
        { ...request, actor: { type: "USER", id: user.id, userId: user.id, label: user.email, role: user.role } },
        {
          action: "auth.sign-in",
          targetType: "USER",
          targetId: user.id,
          summary: { ...about, role: user.role, session: sessionId },
        },
      );
      return { ok: true, user, sessionId } as const;
    });
  } catch (error) {
    // Lost a race for the email to a concurrent create: refuse like any taken email.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      await recordAudit(
        db,
        { ...request, actor: systemActor(email ?? `oidc:${identity.subject}`) },
        {
          action: "auth.sign-in",
          targetType: "USER",
          outcome: "DENIED",
          summary: { ...about, reason: "email taken concurrently" },
        },
      );
      return { ok: false, denial: "SsoEmailTaken" };
    }
    throw error;
  }
}

type Fresh = { email: string; name: string; role: Role };

async function create(tx: Tx, identity: SsoIdentity, fresh: Fresh, request: Request) {
  const user = await tx.user.create({
    data: { ...fresh, authSource: "OIDC", oidcIssuer: identity.issuer, oidcSubject: identity.subject, passwordHash: null, lastLoginAt: new Date() },
    select,
  });
  await recordAudit(
    tx,
    { ...request, actor: systemActor("single sign-on") },
    {
      action: "user.create",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email, role: user.role, name: user.name, source: "OIDC", issuer: identity.issuer, subject: identity.subject },
    },
  );
  return user;
}

async function refresh(tx: Tx, before: UserView & { sessionVersion: number }, fresh: Fresh, request: Request) {
  const roleChanged = before.role !== fresh.role;
  const user = await tx.user.update({
    where: { id: before.id },
    data: { ...fresh, lastLoginAt: new Date(), sessionVersion: roleChanged ? { increment: 1 } : undefined },
    select,
  });
  const sessionsEnded = roleChanged ? await endUserSessions(tx, user.id, "ROLE_CHANGE") : 0;
  const diff = changes(before, fresh);
  if (Object.keys(diff).length > 0) {
    await recordAudit(
      tx,
      { ...request, actor: systemActor("single sign-on") },
      {
        action: "user.update",
        targetType: "USER",
        targetId: user.id,
        summary: { email: user.email, changes: diff, source: "OIDC", ...(sessionsEnded ? { sessionsEnded } : {}) } as Prisma.InputJsonValue,
      },
    );
  }
  return user;
}
