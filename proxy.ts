// Only a convenience redirect for anonymous visitors. It decides nothing:
// every page and route handler checks the session and role itself.
import { NextResponse, type NextRequest } from "next/server";

const sessionCookies = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(req: NextRequest) {
  const hasSession = sessionCookies.some((name) => req.cookies.has(name));
  if (!hasSession) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = `?callbackUrl=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!api|_next|login|forbidden|favicon.ico).*)"],
};
