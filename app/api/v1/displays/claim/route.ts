// Opening a wall display's link. Public (the display has no session yet);
// the code is 256 random bits, good once, for 15 minutes. A JSON body cannot
// be posted from another site without a CORS preflight, which is never
// granted, so no page elsewhere can turn a visitor's browser into a display.
import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { gone } from "@/lib/common/errors";
import { displaySessionCookie } from "@/lib/auth/display-cookie";
import { claimDisplay } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.displays.claim, async ({ req, body, clientIp, requestId }) => {
  const claimed = await claimDisplay(body.code, { clientIp, userAgent: req.headers.get("user-agent"), requestId });
  if (!claimed) throw gone("This display link was already used, has expired, or its display was ended: ask an administrator for a new one");
  return new Response(JSON.stringify({ label: claimed.label, expiresAt: claimed.expiresAt.toISOString(), next: "/dashboard" }), {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "set-cookie": await displaySessionCookie(claimed) },
  });
});
