// Where a browser goes when its session has ended, and the short code that
// says why (the sign-in page turns it into a sentence: lib/sessions/policy.ts).
// Here, with the HTTP client, because the client acts on it: a 401 naming an
// ended session sends the page to sign in.

/** What /login?reason=… may say; anything else in the URL says nothing. */
export const signOutCodes = ["idle", "expired", "signed-out", "changed", "ended"] as const;
export type SignOutCode = (typeof signOutCodes)[number];

export function isSignOutCode(value: unknown): value is SignOutCode {
  return typeof value === "string" && (signOutCodes as readonly string[]).includes(value);
}

/** Where the sign-in page is for someone whose session ended on `path`. */
export function signInPath(path: string | null | undefined, code?: SignOutCode): string {
  const params = new URLSearchParams();
  if (code) params.set("reason", code);
  if (path && path !== "/" && !path.startsWith("/login")) params.set("callbackUrl", path);
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}
