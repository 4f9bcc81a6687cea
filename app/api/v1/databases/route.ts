import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listDatabases, createDatabase } from "@/lib/inventory/databases";

export const dynamic = "force-dynamic";

export const GET = handler(api.databases.list, ({ query }) => listDatabases(query));
export const POST = handler(api.databases.create, ({ body, audit }) => createDatabase(body, audit));
