// Where to go after signing in (the `callbackUrl` of /login, of next-auth's
// sign-in and sign-out). One rule, used by the login page, the login form
// and next-auth's redirect callback: parse the value with the WHATWG URL
// parser against the console's origin, as the browser will, and follow it
// only when the origin is the same; then hand on the normalised
// path + query + fragment, never the raw string.
//
// Why parse rather than look at characters: browsers drop tabs and newlines
// anywhere in a URL, read `\` as `/`, and resolve `//host` as another host,
// so "/\evil", "/\t/evil" and "/\n/evil" all leave the site although each
// starts with a single "/". The parser does exactly what the browser does.
//
// Kept free of server-only imports: the login form runs it in the browser.

/** Longer callback values are refused: nothing in the console needs them. */
export const MAX_CALLBACK_LENGTH = 2048;

export const DEFAULT_AFTER_SIGN_IN = "/dashboard";

/**
 * The same-origin path (with query and fragment) `raw` leads to, resolved
 * against `origin`, or null when it leads anywhere else or is not a URL.
 * The result always starts with exactly one "/", so it stays on whatever
 * origin it is later resolved against.
 */
export function sameOriginPath(raw: unknown, origin: string): string | null {
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_CALLBACK_LENGTH) return null;
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(raw, base);
  } catch {
    return null;
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return null;
  if (target.origin !== base.origin) return null;
  // "http://user:pass@host/…" has our origin, but nobody links to the console like that.
  if (target.username || target.password) return null;
  // The serialiser leaves "\\" in a query or fragment; encode it, so no later reader takes it for "/".
  const path = (target.pathname + target.search + target.hash).replaceAll("\\", "%5C");
  // "/.//evil" normalises to the path "//evil": a network-path reference once it is
  // handed on. Refuse it rather than guess what was meant.
  if (!path.startsWith("/") || path.startsWith("//")) return null;
  return path;
}

/** `sameOriginPath`, or the dashboard. */
export function callbackPathOrDefault(raw: unknown, origin: string, fallback = DEFAULT_AFTER_SIGN_IN): string {
  return sameOriginPath(raw, origin) ?? fallback;
}
