// Three jobs, none of them authorization (every page and route handler
// checks the session and role itself):
// - /api (all of it but next-auth's /api/auth): a path no route has, a method
//   the route does not take, or a path that does not percent-decode is
//   answered here as problem+json. Left to Next they get its HTML 404 page, an
//   empty 405, or a 500 (a malformed escape in a route parameter) — never the
//   API's error shape.
// - pages: a convenience redirect to /login for anonymous visitors (not on
//   /login, /forbidden and /display themselves, nor on /metrics, which
//   answers Prometheus's bearer token itself);
// - pages: the Content-Security-Policy with a fresh nonce, on every page
//   response (/login, /forbidden and error pages included), handed to Next in
//   the request so it stamps that nonce on the scripts it renders; and the
//   path asked for (x-clusterdeck-path), so a page whose session has ended can
//   send its user to sign in and back here (lib/sign-in/session.ts, requireSession).
import { NextResponse, type NextRequest } from "next/server";
import { ApiError, problemResponse } from "@/lib/http/problem";
import { badRequest } from "@/lib/common/errors";
import { matchApiRoute } from "@/lib/api/route-table";
import { newCspNonce, pageCsp } from "@/lib/security/csp";
import { env } from "@/lib/env";

const sessionCookies = ["next-auth.session-token", "__Secure-next-auth.session-token"];
/** Pages anyone may open: no redirect to /login from them (/display: a wall display's link, opened before it has a session). */
const openPages = ["/login", "/forbidden", "/display"];

function apiGate(req: NextRequest): Response {
  const match = matchApiRoute(req.nextUrl.pathname, req.method);
  if (match.kind === "ok") return NextResponse.next();
  const requestId = crypto.randomUUID();
  if (match.kind === "bad-encoding") return problemResponse(badRequest("The path holds a malformed percent-encoding"), requestId);
  if (match.kind === "not-found") return problemResponse(new ApiError(404, "Not found", `No API route at ${req.nextUrl.pathname.slice(0, 200)}`), requestId);
  return problemResponse(
    new ApiError(405, "Method not allowed", `${req.method.slice(0, 20)} is not allowed here; allowed: ${match.allow.join(", ")}`),
    requestId,
    { allow: match.allow.join(", ") },
  );
}

/** Renders the page with a nonce of its own: in the policy sent back, and in the request Next reads it from. */
function pageWithNonce(req: NextRequest): NextResponse {
  const nonce = newCspNonce();
  const csp = pageCsp(nonce, { dev: env().NODE_ENV === "development" });
  // Set, never appended: whatever the client sent under these names is replaced.
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  // Only ever a callback path, and checked as one where it is read.
  const asked = req.nextUrl.clone();
  asked.searchParams.delete("_rsc"); // Next's own cache-busting parameter of client navigations
  headers.set("x-clusterdeck-path", asked.pathname + asked.search);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  if (pathname === "/api/auth" || pathname.startsWith("/api/auth/")) return NextResponse.next();
  // Prometheus has no session: app/metrics/route.ts checks its bearer token itself.
  if (pathname === "/metrics") return NextResponse.next();
  if (pathname === "/api" || pathname.startsWith("/api/")) return apiGate(req);
  const open = openPages.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  const hasSession = sessionCookies.some((name) => req.cookies.has(name));
  if (!open && !hasSession) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
    return NextResponse.redirect(url);
  }
  return pageWithNonce(req);
}

export const config = {
  // Everything but Next's own files (which next.config.mjs gives a policy that allows nothing).
  matcher: ["/((?!_next/|favicon.ico).*)"],
};
