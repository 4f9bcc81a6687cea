import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

// Options are built per request so a missing secret fails the request, not the build.
const nextAuth = (req: Request, ctx: unknown) => NextAuth(authOptions())(req, ctx);

export { nextAuth as GET, nextAuth as POST };
