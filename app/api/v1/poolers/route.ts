import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listPoolers, createPooler } from "@/lib/inventory/poolers";

export const dynamic = "force-dynamic";

export const GET = handler(api.poolers.list, ({ query }) => listPoolers(query));
export const POST = handler(api.poolers.create, ({ body, audit }) => createPooler(body, audit));
