import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { revokeToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const DELETE = handler(api.tokens.revoke, ({ params, audit }) => revokeToken(params.id, audit));
