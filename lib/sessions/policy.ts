// When a session stops counting, and what the sign-in page tells its user.
// Pure: the service reads the row and the clock, this decides. Kept free of
// server-only imports, so the login page and the browser share the codes.
import type { SessionEndReason, SessionKind } from "@/lib/generated/prisma/enums";
import { isSignOutCode, type SignOutCode } from "@/lib/http/sign-out";

export type SessionRow = {
  /** A DISPLAY (wall display) has no idle timeout: nobody touches it, by design. */
  kind?: SessionKind;
  endedAt: Date | null;
  endReason: SessionEndReason | null;
  lastActivityAt: Date;
  expiresAt: Date;
  sessionVersion: number;
  user: { disabled: boolean; sessionVersion: number };
};

export type Verdict =
  | { ok: true; idleEndsAt: Date; expiresAt: Date }
  /** `ended`: it has just stopped counting and the row does not say so yet. */
  | { ok: false; reason: SessionEndReason; at: Date; ended: boolean };

/**
 * Whether the session still counts at `now`, with an idle timeout of
 * `idleMs`. A session past both its idle deadline and its absolute expiry
 * ended for whichever came first.
 */
export function judgeSession(row: SessionRow, now: Date, idleMs: number): Verdict {
  if (row.endedAt) return { ok: false, reason: row.endReason ?? "REVOKED", at: row.endedAt, ended: false };
  if (row.user.disabled) return { ok: false, reason: "DISABLED", at: now, ended: true };
  // Every change that bumps the version also ends the rows; this is the backstop.
  if (row.sessionVersion !== row.user.sessionVersion) return { ok: false, reason: "REVOKED", at: now, ended: true };
  const idleEndsAt = row.kind === "DISPLAY" ? row.expiresAt : new Date(row.lastActivityAt.getTime() + idleMs);
  const first = idleEndsAt < row.expiresAt ? { reason: "IDLE" as const, at: idleEndsAt } : { reason: "EXPIRED" as const, at: row.expiresAt };
  if (now >= first.at) return { ok: false, reason: first.reason, at: first.at, ended: true };
  return { ok: true, idleEndsAt, expiresAt: row.expiresAt };
}

export function signOutCode(reason: SessionEndReason): SignOutCode {
  switch (reason) {
    case "IDLE":
      return "idle";
    case "EXPIRED":
      return "expired";
    case "SIGN_OUT":
      return "signed-out";
    case "ROLE_CHANGE":
    case "PASSWORD_RESET":
    case "ACCESS_REVOKED":
      return "changed";
    default:
      return "ended";
  }
}

/** "30 minutes", "1 hour", "12 hours", "90 seconds". */
export function duration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}

/** The sentence the sign-in page shows for a code, given the configured limits. */
export function signOutMessage(code: unknown, limits: { idleSeconds: number; maxAgeSeconds: number }): string | undefined {
  if (!isSignOutCode(code)) return undefined;
  switch (code) {
    case "idle":
      return `You were signed out after ${duration(limits.idleSeconds)} without activity. Sign in to continue where you were.`;
    case "expired":
      return `Your session reached its limit of ${duration(limits.maxAgeSeconds)}. Sign in again to continue where you were.`;
    case "signed-out":
      return "You are signed out.";
    case "changed":
      return "Your role or password changed, which ended your session. Sign in again.";
    case "ended":
      return "Your session was ended. Sign in again.";
  }
}
