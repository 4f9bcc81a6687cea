import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { setAutoFailover } from "@/lib/operations/databases";

export const dynamic = "force-dynamic";

export const POST = handler(api.databaseActions.autoFailover, ({ params, body, audit }) => setAutoFailover(params.id, body, audit));
