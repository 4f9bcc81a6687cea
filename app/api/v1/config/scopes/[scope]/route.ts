import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { can } from "@/lib/auth/permissions";
import { getScope } from "@/lib/config/targets";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.scope, ({ params, query, actor }) =>
  getScope(params.scope, can(actor.role, "config:write"), { revisionsLimit: query.revisions }),
);
