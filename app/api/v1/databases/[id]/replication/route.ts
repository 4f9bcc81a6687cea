import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { databaseReplication } from "@/lib/inventory/replication";

export const dynamic = "force-dynamic";

export const GET = handler(api.databaseReplication, ({ params }) => databaseReplication(params.id));
