import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getNode, updateNode, deleteNode } from "@/lib/inventory/nodes";

export const dynamic = "force-dynamic";

export const GET = handler(api.nodes.get, ({ params }) => getNode(params.id));
export const PATCH = handler(api.nodes.update, ({ params, body, audit }) => updateNode(params.id, body, audit));
export const DELETE = handler(api.nodes.remove, ({ params, audit }) => deleteNode(params.id, audit));
