import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { rollbackTo } from "@/lib/config/revisions";

export const dynamic = "force-dynamic";

export const POST = handler(api.config.rollback, ({ params, body, audit }) => rollbackTo(params.id, body.message, audit));
