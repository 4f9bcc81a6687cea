// Server-side sessions. A sign-in creates a row; the session cookie (a JWT)
// carries its id; every request reads the row together with its user in one
// query and refuses it once ended, idle or past its absolute expiry
// (lib/sessions/policy.ts). Only user activity moves `lastActivityAt`: input
// on a page (POST /api/v1/session/activity, at most once a minute per tab) and
// changes made with the session cookie (lib/api/handler.ts). Reading pages,
// the live stream and background refetches never do.
import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import type { Db, Tx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { systemActor, type Actor } from "@/lib/auth/actor";
import type { Role, SessionEndReason } from "@/lib/generated/prisma/enums";
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
  | { ok: true; user: SessionUser; sessionId: string; idleEndsAt: Date; expiresAt: Date }
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
    SELECT s."userId", s."endedAt", s."endReason"::text AS "endReason", s."lastActivityAt", s."expiresAt", s."sessionVersion",
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
  if (!row || row.userId !== userId) return { ok: false, reason: null };
  const verdict = judgeSession(row, now, sessionLimits().idleSeconds * 1000);
  if (!verdict.ok) {
    if (verdict.ended) await endSession(sessionId, verdict.reason, { actor: systemActor("session policy"), requestId: `session-${verdict.reason.toLowerCase()}`, clientIp: null }, verdict.at);
    return { ok: false, reason: verdict.reason };
  }
  const { id, email, name, role } = row.user;
  return { ok: true, user: { id, email, name, role }, sessionId, idleEndsAt: verdict.idleEndsAt, expiresAt: verdict.expiresAt };
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
  const row = await db.session.findUnique({ where: { id: actor.sessionId }, select: { lastActivityAt: true, expiresAt: true, endedAt: true } });
  if (!row || row.endedAt) return null;
  const { idleSeconds } = sessionLimits();
  const idleEndsAt = row.lastActivityAt.getTime() + idleSeconds * 1000;
  return {
    idleSecondsLeft: Math.max(0, Math.floor((Math.min(idleEndsAt, row.expiresAt.getTime()) - now.getTime()) / 1000)),
    secondsLeft: Math.max(0, Math.floor((row.expiresAt.getTime() - now.getTime()) / 1000)),
    idleTimeoutSeconds: idleSeconds,
    lastActivityAt: row.lastActivityAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
