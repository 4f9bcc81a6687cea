// The session cookie of a wall display. Displays do not sign in through
// next-auth (nobody types a password on a wall): opening a display's one-time
// link (lib/sessions/service.ts, claimDisplay) sets the same cookie next-auth
// would, carrying the display's session id, so every check that applies to a
// session applies to it (lib/sign-in/session.ts).
import "server-only";
import { encode } from "next-auth/jwt";
import { env, sessionSecret } from "@/lib/env";

/** next-auth's cookie name: the __Secure- form when the console is served over https (NEXTAUTH_URL), as next-auth decides. */
export function sessionCookieName(): string {
  return env().NEXTAUTH_URL?.startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

export async function displaySessionCookie(display: { sessionId: string; userId: string; label: string; expiresAt: Date }, now = new Date()): Promise<string> {
  const maxAge = Math.max(1, Math.floor((display.expiresAt.getTime() - now.getTime()) / 1000));
  const value = await encode({
    token: { sub: display.userId, uid: display.userId, sid: display.sessionId, role: "VIEWER", name: display.label },
    secret: sessionSecret(),
    maxAge,
  });
  const secure = sessionCookieName().startsWith("__Secure-");
  return `${sessionCookieName()}=${value}; Path=/; HttpOnly; SameSite=Lax; Expires=${display.expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}
