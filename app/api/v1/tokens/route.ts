import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { createToken, listTokens } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.tokens.list, ({ query }) => listTokens(query));
export const POST = handler(api.tokens.create, ({ body, audit }) => createToken(body, audit));
