import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { can } from "@/lib/auth/permissions";
import { getDraft } from "@/lib/config/targets";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.draft, ({ params, actor }) => getDraft(params.scope, can(actor.role, "config:write")));
