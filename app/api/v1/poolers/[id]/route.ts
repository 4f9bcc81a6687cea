import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getPooler, updatePooler, deletePooler } from "@/lib/inventory/poolers";

export const dynamic = "force-dynamic";

export const GET = handler(api.poolers.get, ({ params }) => getPooler(params.id));
export const PATCH = handler(api.poolers.update, ({ params, body, audit }) => updatePooler(params.id, body, audit));
export const DELETE = handler(api.poolers.remove, ({ params, audit }) => deletePooler(params.id, audit));
