import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { setReplicationMode } from "@/lib/operations/sync-mode";

export const dynamic = "force-dynamic";

export const POST = handler(api.databaseActions.replicationMode, ({ params, body, audit }) => setReplicationMode(params.id, body, audit));
