import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listNodes, createNode } from "@/lib/inventory/nodes";

export const dynamic = "force-dynamic";

export const GET = handler(api.nodes.list, ({ query }) => listNodes(query));
export const POST = handler(api.nodes.create, ({ body, audit }) => createNode(body, audit));
