import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { createRevision } from "@/lib/config/revisions";

export const dynamic = "force-dynamic";

export const POST = handler(api.config.createRevision, ({ params, body, audit }) => createRevision(params.scope, body, audit));
