import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { can } from "@/lib/auth/permissions";
import { getRevision } from "@/lib/config/revisions";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.revision, ({ params, actor }) => getRevision(params.id, can(actor.role, "config:write")));
