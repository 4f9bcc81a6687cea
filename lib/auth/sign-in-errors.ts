// What the sign-in page says for the `error` next-auth puts in its redirect
// (/login?error=…). Only known codes get their own words; anything else,
// including whatever a crafted link carries, gets a generic message: the
// page never echoes the query string, and never shows internals.

/** Refusals of a single sign-on, decided by lib/users/sso.ts. */
export const ssoDenials = {
  SsoNoRole: "Your account is not in any group that may use Clusterdeck. Ask an administrator to add you to one, then sign in again.",
  SsoDisabled: "This account is disabled. Ask an administrator to enable it.",
  SsoEmailTaken:
    "Another Clusterdeck account already uses your email address, so single sign-on cannot use it. Ask an administrator to remove or rename that account.",
  SsoNoEmail: "Your identity provider did not share a valid email address with Clusterdeck. Ask an administrator to check its configuration.",
} as const;

export type SsoDenial = keyof typeof ssoDenials;

const known: Record<string, string> = {
  ...ssoDenials,
  CredentialsSignin: "Wrong email or password",
  AccessDenied: "Access denied.",
  SessionRequired: "Sign in to continue.",
  // The provider refused, the exchange failed, or the provider could not be reached.
  OAuthSignin: "Single sign-on could not start. Try again; if it keeps failing, ask an administrator to check the console's log.",
  OAuthCallback: "Single sign-on failed. Try again; if it keeps failing, ask an administrator to check the console's log.",
  Callback: "Single sign-on failed. Try again; if it keeps failing, ask an administrator to check the console's log.",
  OAuthAccountNotLinked: "Single sign-on failed. Ask an administrator to check the console's log.",
};

/** The credentials provider's lockout message, which a sign-in without JavaScript receives in the URL. */
const throttled = /^Too many failed sign-ins\. Try again in \d{1,6} s\.$/;

export function signInErrorMessage(code: string | undefined): string | undefined {
  if (!code) return undefined;
  if (Object.hasOwn(known, code)) return known[code];
  if (throttled.test(code)) return code;
  return "Sign-in failed. Try again.";
}
