// Protects: the rule that decides whether a session still counts (ended,
// disabled user, stale session version, idle, absolute cap — whichever came
// first), and the sign-in page's words for why it ended: only known codes
// say anything, and the way back keeps only a path.
import { describe, expect, it } from "vitest";
import { judgeSession, signOutCode, signOutMessage, type SessionRow } from "@/lib/sessions/policy";
import { signInPath } from "@/lib/http/sign-out";

const t0 = new Date("2026-01-01T09:00:00Z");
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const IDLE = 30 * 60_000;
const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  endedAt: null,
  endReason: null,
  lastActivityAt: t0,
  expiresAt: at(12 * 60),
  sessionVersion: 3,
  user: { disabled: false, sessionVersion: 3 },
  ...over,
});

describe("judgeSession", () => {
  it("counts an open, recently used session, saying when it would end", () => {
    expect(judgeSession(row(), at(29), IDLE)).toEqual({ ok: true, idleEndsAt: at(30), expiresAt: at(720) });
  });

  it("ends it at the idle timeout, from the last activity", () => {
    expect(judgeSession(row(), at(30), IDLE)).toEqual({ ok: false, reason: "IDLE", at: at(30), ended: true });
    expect(judgeSession(row({ lastActivityAt: at(600) }), at(629), IDLE).ok).toBe(true);
  });

  it("ends it at the absolute cap however recent the activity", () => {
    expect(judgeSession(row({ lastActivityAt: at(715) }), at(720), IDLE)).toEqual({ ok: false, reason: "EXPIRED", at: at(720), ended: true });
  });

  it("names whichever limit came first", () => {
    expect(judgeSession(row({ lastActivityAt: at(600), expiresAt: at(640) }), at(700), IDLE)).toMatchObject({ reason: "IDLE", at: at(630) });
    expect(judgeSession(row({ lastActivityAt: at(600), expiresAt: at(620) }), at(700), IDLE)).toMatchObject({ reason: "EXPIRED", at: at(620) });
  });

  it("keeps an ended session's own reason, and refuses a disabled user or a stale version", () => {
    expect(judgeSession(row({ endedAt: at(5), endReason: "SIGN_OUT" }), at(6), IDLE)).toEqual({ ok: false, reason: "SIGN_OUT", at: at(5), ended: false });
    expect(judgeSession(row({ user: { disabled: true, sessionVersion: 3 } }), at(1), IDLE)).toMatchObject({ ok: false, reason: "DISABLED", ended: true });
    expect(judgeSession(row({ sessionVersion: 2 }), at(1), IDLE)).toMatchObject({ ok: false, reason: "REVOKED", ended: true });
  });
});

describe("what the sign-in page says", () => {
  const limits = { idleSeconds: 1800, maxAgeSeconds: 43200 };
  it("explains idle and expired sessions with the configured limits", () => {
    expect(signOutMessage(signOutCode("IDLE"), limits)).toBe("You were signed out after 30 minutes without activity. Sign in to continue where you were.");
    expect(signOutMessage(signOutCode("EXPIRED"), limits)).toContain("12 hours");
    expect(signOutMessage(signOutCode("ROLE_CHANGE"), limits)).toContain("role or password changed");
    expect(signOutMessage(signOutCode("REVOKED"), limits)).toBe("Your session was ended. Sign in again.");
    expect(signOutMessage("signed-out", { idleSeconds: 90, maxAgeSeconds: 3600 })).toBe("You are signed out.");
    expect(signOutMessage("idle", { idleSeconds: 90, maxAgeSeconds: 3600 })).toContain("90 seconds");
  });

  it("says nothing for anything else in the URL", () => {
    for (const code of [undefined, "", "IDLE", "<script>", ["idle"], "idle ", "constructor", "__proto__"]) expect(signOutMessage(code, limits)).toBeUndefined();
  });

  it("comes back to the page the session ended on", () => {
    expect(signInPath("/nodes?health=DOWN", "idle")).toBe("/login?reason=idle&callbackUrl=%2Fnodes%3Fhealth%3DDOWN");
    expect(signInPath("/", "expired")).toBe("/login?reason=expired");
    expect(signInPath("/login?callbackUrl=x", "idle")).toBe("/login?reason=idle");
    expect(signInPath(null)).toBe("/login");
  });
});
