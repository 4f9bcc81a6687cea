import NextAuth from "next-auth";
import { authOptions } from "@/lib/sign-in/options";
import { readBodyText } from "@/lib/api/handler";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { ApiError, problemResponse } from "@/lib/http/problem";
import { badRequest } from "@/lib/common/errors";

export const dynamic = "force-dynamic";

const MAX_JSON_BODY = 64 * 1024;

// Options are built per request so a missing secret fails the request, not the build.
const nextAuth = (req: Request, ctx: unknown) => NextAuth(authOptions())(req, ctx);

/**
 * next-auth parses a JSON body itself (req.json(), whenever the content type
 * mentions application/json), so empty, malformed, too deep or unstorable
 * JSON was a 500 there. It is checked here first, on a copy, by the API's rules.
 */
async function post(req: Request, ctx: unknown): Promise<Response> {
  if ((req.headers.get("content-type") ?? "").includes("application/json")) {
    const requestId = crypto.randomUUID();
    let text: string;
    try {
      text = await readBodyText(req.clone(), MAX_JSON_BODY);
    } catch (error) {
      if (error instanceof ApiError) return problemResponse(error, requestId);
      throw error;
    }
    const parsed = parseUntrustedJson(text, "body");
    if (!parsed.ok) return problemResponse(badRequest(parsed.refusal.message), requestId);
  }
  return nextAuth(req, ctx);
}

export { nextAuth as GET, post as POST };
