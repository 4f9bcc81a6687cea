import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getDatabase, updateDatabase, deleteDatabase } from "@/lib/inventory/databases";

export const dynamic = "force-dynamic";

export const GET = handler(api.databases.get, ({ params }) => getDatabase(params.id));
export const PATCH = handler(api.databases.update, ({ params, body, audit }) => updateDatabase(params.id, body, audit));
export const DELETE = handler(api.databases.remove, ({ params, audit }) => deleteDatabase(params.id, audit));
