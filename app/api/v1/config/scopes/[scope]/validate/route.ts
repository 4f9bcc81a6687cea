import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { validateCandidate } from "@/lib/config/validation";

export const dynamic = "force-dynamic";

// Only config:write may call this, so the answer shows secrets as written.
export const POST = handler(api.config.validate, ({ params, body }) => validateCandidate(params.scope, body.input, true));
