import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { can } from "@/lib/auth/permissions";
import { diffRevisions } from "@/lib/config/revisions";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.diff, ({ params, query, actor }) => diffRevisions(params.id, query.against, can(actor.role, "config:write")));
