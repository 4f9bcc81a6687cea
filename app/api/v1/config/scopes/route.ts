import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listScopes } from "@/lib/config/targets";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.scopes, () => listScopes());
