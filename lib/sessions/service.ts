// Server-side sessions. A sign-in creates a row; the session cookie (a JWT)
// carries its id; every request reads the row together with its user in one
// query and refuses it once ended, idle or past its absolute expiry
// (lib/sessions/policy.ts). Only user activity moves `lastActivityAt`: input
// on a page (POST /api/v1/session/activity, at most once a minute per tab) and
// changes made with the session cookie (lib/api/handler.ts). Reading pages,
// the live stream and background refetches never do.
import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { Db, Tx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { systemActor, type Actor } from "@/lib/common/actor";
import type { Role, SessionEndReason, SessionKind } from "@/lib/generated/prisma/enums";
import type { Prisma } from "@/lib/generated/prisma/client";
import { notFound } from "@/lib/common/errors";
import { judgeSession } from "@/lib/sessions/policy";

/** Activity closer together than this is not written again: the timeout counts in minutes. */
const TOUCH_GRANULARITY_MS = 10_000;

export const sessionLimits = () => ({ idleSeconds: env().CLUSTERDECK_SESSION_IDLE_TIMEOUT, maxAgeSeconds: env().CLUSTERDECK_SESSION_MAX_AGE });

/** 128 random bits, hex: unguessable, and a valid id in paths (lib/common/schemas.ts). */
export function newSessionId(): string {
  return randomBytes(16).toString("hex");
}

export type NewSession = {
  userId: string;
  sessionVersion: number;
  clientIp: string | null;
  userAgent: string | null;
};

/** Opens a session, in the caller's transaction (the sign-in's, with its audit entry). */
export async function createSession(tx: Tx | Db, input: NewSession, now = new Date()): Promise<string> {
  const id = newSessionId();
  await tx.session.create({
    data: {
      id,
      userId: input.userId,
      sessionVersion: input.sessionVersion,
      createdAt: now,
      lastActivityAt: now,
      expiresAt: new Date(now.getTime() + sessionLimits().maxAgeSeconds * 1000),
      clientIp: input.clientIp?.slice(0, 64) ?? null,
      userAgent: input.userAgent?.slice(0, 512) || null,
    },
  });
  return id;
}

export type SessionUser = { id: string; email: string; name: string; role: Role };

type SessionWithUser = {
  userId: string;
  kind: SessionKind;
  label: string | null;
  claimHash: string | null;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
  lastActivityAt: Date;
  expiresAt: Date;
  sessionVersion: number;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  userSessionVersion: number;
};

export type SessionCheck =
  | { ok: true; user: SessionUser; sessionId: string; idleEndsAt: Date; expiresAt: Date; display: { label: string } | null }
  /** reason null: there is no such session (or not for this user). */
  | { ok: false; reason: SessionEndReason | null };

/**
 * Whether session `sessionId` of user `userId` still counts. One query reads
 * the row with its user; a session found idle or expired is marked ended
 * (once, audited) so the record says why. Any doubt is a refusal.
 */
export async function checkSession(sessionId: unknown, userId: unknown, now = new Date()): Promise<SessionCheck> {
  if (typeof sessionId !== "string" || typeof userId !== "string" || sessionId === "" || userId === "") return { ok: false, reason: null };
  // One round trip for the session and its user (Prisma's relation select would make two).
  const rows = await db.$queryRaw<SessionWithUser[]>`
    SELECT s."userId", s."kind"::text AS "kind", s."label", s."claimHash", s."endedAt", s."endReason"::text AS "endReason", s."lastActivityAt", s."expiresAt", s."sessionVersion",
           u."email", u."name", u."role"::text AS "role", u."disabled", u."sessionVersion" AS "userSessionVersion"
    FROM "Session" s JOIN "User" u ON u."id" = s."userId"
    WHERE s."id" = ${sessionId}`;
  const found = rows[0];
  const row = found && {
    ...found,
    endedAt: found.endedAt ? new Date(found.endedAt) : null,
    lastActivityAt: new Date(found.lastActivityAt),
    expiresAt: new Date(found.expiresAt),
    user: { id: found.userId, email: found.email, name: found.name, role: found.role, disabled: found.disabled, sessionVersion: found.userSessionVersion },
  };
  // A display not yet claimed has no cookie; one that says otherwise is forged.
  if (!row || row.userId !== userId || row.claimHash !== null) return { ok: false, reason: null };
  const verdict = judgeSession(row, now, sessionLimits().idleSeconds * 1000);
  if (!verdict.ok) {
    if (verdict.ended)
      await endSession(sessionId, verdict.reason, { actor: systemActor("session policy"), requestId: randomUUID(), clientIp: null }, verdict.at);
    return { ok: false, reason: verdict.reason };
  }
  const { id, email, name, role } = row.user;
  const display = row.kind === "DISPLAY" ? { label: row.label ?? "wall display" } : null;
  return { ok: true, user: { id, email, name, role }, sessionId, idleEndsAt: verdict.idleEndsAt, expiresAt: verdict.expiresAt, display };
}

/**
 * Ends one session if it is still open, with its audit entry in the same
 * transaction. Returns whether this call ended it (a second sign-out, or a
 * race with the idle check, changes nothing and records nothing).
 */
export async function endSession(sessionId: string, reason: SessionEndReason, audit: AuditContext, at = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const ended = await tx.session.updateManyAndReturn({
      where: { id: sessionId, endedAt: null },
      data: { endedAt: at, endReason: reason },
      select: { userId: true, createdAt: true, user: { select: { email: true } } },
    });
    const row = ended[0];
    if (!row) return false;
    await recordAudit(tx, audit, {
      action: "auth.session-end",
      targetType: "USER",
      targetId: row.userId,
      summary: { email: row.user.email, session: sessionId, reason, startedAt: row.createdAt.toISOString() },
    });
    return true;
  });
}

/**
 * Ends every open session of a user, in the caller's transaction (a role
 * change, a disable, a password reset: the caller's audit entry says what
 * happened, and `sessionsEnded` goes in its summary).
 */
export async function endUserSessions(tx: Tx, userId: string, reason: SessionEndReason, at = new Date()): Promise<number> {
  const { count } = await tx.session.updateMany({ where: { userId, endedAt: null }, data: { endedAt: at, endReason: reason } });
  return count;
}

/**
 * Records user activity on a session that still counts. Writes at most once
 * every few seconds per session, and never revives one that has gone idle or
 * expired in between (the conditions are in the UPDATE itself).
 */
export async function touchSession(sessionId: string, now = new Date()): Promise<void> {
  const idleCutoff = new Date(now.getTime() - sessionLimits().idleSeconds * 1000);
  await db.session.updateMany({
    where: {
      id: sessionId,
      kind: "USER",
      endedAt: null,
      expiresAt: { gt: now },
      lastActivityAt: { gt: idleCutoff, lt: new Date(now.getTime() - TOUCH_GRANULARITY_MS) },
    },
    data: { lastActivityAt: now },
  });
}

export type SessionState = {
  /** Seconds until the session ends for lack of activity, if nothing happens. */
  idleSecondsLeft: number;
  /** Seconds until the absolute cap. */
  secondsLeft: number;
  idleTimeoutSeconds: number;
  lastActivityAt: string;
  expiresAt: string;
};

/** The caller's session as the page's idle warning needs it; relative times, so clocks need not agree. */
export async function sessionState(actor: Actor, now = new Date()): Promise<SessionState | null> {
  if (actor.type !== "USER" || !actor.sessionId) return null;
  const row = await db.session.findUnique({ where: { id: actor.sessionId }, select: { kind: true, lastActivityAt: true, expiresAt: true, endedAt: true } });
  if (!row || row.endedAt) return null;
  const { idleSeconds } = sessionLimits();
  // A wall display has no idle timeout: only its expiry.
  const idleEndsAt = row.kind === "DISPLAY" ? row.expiresAt.getTime() : row.lastActivityAt.getTime() + idleSeconds * 1000;
  return {
    idleSecondsLeft: Math.max(0, Math.floor((Math.min(idleEndsAt, row.expiresAt.getTime()) - now.getTime()) / 1000)),
    secondsLeft: Math.max(0, Math.floor((row.expiresAt.getTime() - now.getTime()) / 1000)),
    idleTimeoutSeconds: idleSeconds,
    lastActivityAt: row.lastActivityAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------
// Administration: who is signed in, ending a session, wall displays
// ---------------------------------------------------------------------------

export const sessionSelect = {
  id: true,
  kind: true,
  label: true,
  createdAt: true,
  lastActivityAt: true,
  expiresAt: true,
  clientIp: true,
  userAgent: true,
  claimExpiresAt: true,
  user: { select: { id: true, email: true, role: true } },
} satisfies Prisma.SessionSelect;

export type SessionView = Prisma.SessionGetPayload<{ select: typeof sessionSelect }>;

/**
 * Open sessions, newest first: not ended, within their cap and (for people)
 * their idle timeout. Wall displays waiting for their link to be opened are
 * listed too, until the link expires.
 */
export async function listOpenSessions(now = new Date()): Promise<SessionView[]> {
  const idleCutoff = new Date(now.getTime() - sessionLimits().idleSeconds * 1000);
  return db.session.findMany({
    where: {
      endedAt: null,
      expiresAt: { gt: now },
      OR: [
        { kind: "USER", lastActivityAt: { gt: idleCutoff } },
        { kind: "DISPLAY", claimHash: null },
        { kind: "DISPLAY", claimExpiresAt: { gt: now } },
      ],
    },
    select: sessionSelect,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
}

/** An administrator ends someone's session (or a wall display): it stops working at its next request. */
export async function revokeSession(id: string, audit: AuditContext): Promise<SessionView> {
  const row = await db.session.findFirst({ where: { id, endedAt: null }, select: sessionSelect });
  // Ended meanwhile (signed out, idle): nothing left to end.
  if (!row || !(await endSession(id, "REVOKED", audit))) throw notFound("An open session with this id");
  return row;
}

/** Wall display links work this long after they are made, once. */
export const DISPLAY_CLAIM_TTL_MS = 15 * 60_000;

const hashCode = (code: string) => createHash("sha256").update(code, "utf8").digest("hex");

/**
 * A wall display, read-only and without idle timeout, owned by the admin who
 * makes it. Returns the one-time code of its link (shown once; stored hashed).
 */
export async function createDisplay(input: { label: string; days: number }, audit: AuditContext): Promise<SessionView & { code: string }> {
  const owner = audit.actor.userId;
  if (!owner) throw notFound("A user to own the display");
  const user = await db.user.findUniqueOrThrow({ where: { id: owner }, select: { sessionVersion: true } });
  const code = randomBytes(32).toString("base64url");
  const now = new Date();
  return db.$transaction(async (tx) => {
    const session = await tx.session.create({
      data: {
        id: newSessionId(),
        userId: owner,
        kind: "DISPLAY",
        label: input.label,
        sessionVersion: user.sessionVersion,
        createdAt: now,
        lastActivityAt: now,
        expiresAt: new Date(now.getTime() + input.days * 86_400_000),
        claimHash: hashCode(code),
        claimExpiresAt: new Date(now.getTime() + DISPLAY_CLAIM_TTL_MS),
      },
      select: sessionSelect,
    });
    await recordAudit(tx, audit, {
      action: "session.display-create",
      targetType: "USER",
      targetId: owner,
      summary: { session: session.id, label: input.label, expiresAt: session.expiresAt.toISOString() },
    });
    return { ...session, code };
  });
}

/**
 * Opens a wall display's link: once, before it expires. Returns what its
 * cookie must carry, or null (unknown, used, expired or ended: all the same
 * answer). Audited in the same transaction.
 */
export async function claimDisplay(
  code: string,
  request: { clientIp: string | null; userAgent: string | null; requestId: string },
  now = new Date(),
): Promise<{ sessionId: string; userId: string; label: string; expiresAt: Date } | null> {
  return db.$transaction(async (tx) => {
    const [claimed] = await tx.session.updateManyAndReturn({
      where: { claimHash: hashCode(code), claimExpiresAt: { gt: now }, endedAt: null, expiresAt: { gt: now }, kind: "DISPLAY" },
      data: {
        claimHash: null,
        claimExpiresAt: null,
        lastActivityAt: now,
        clientIp: request.clientIp?.slice(0, 64) ?? null,
        userAgent: request.userAgent?.slice(0, 512) || null,
      },
      select: { id: true, userId: true, label: true, expiresAt: true, user: { select: { email: true } } },
    });
    if (!claimed) return null;
    await recordAudit(
      tx,
      { actor: systemActor(`display ${claimed.label ?? ""}`.trim()), requestId: request.requestId, clientIp: request.clientIp },
      {
        action: "session.display-claim",
        targetType: "USER",
        targetId: claimed.userId,
        summary: { session: claimed.id, label: claimed.label, owner: claimed.user.email },
      },
    );
    return { sessionId: claimed.id, userId: claimed.userId, label: claimed.label ?? "wall display", expiresAt: claimed.expiresAt };
  });
}
