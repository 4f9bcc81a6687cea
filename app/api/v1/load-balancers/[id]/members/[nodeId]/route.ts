import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { removePoolMember, updatePoolMember } from "@/lib/inventory/pool";

export const dynamic = "force-dynamic";

export const PATCH = handler(api.poolMembers.update, ({ params, body, audit }) => updatePoolMember(params.id, params.nodeId, body, audit));
export const DELETE = handler(api.poolMembers.remove, ({ params, audit }) => removePoolMember(params.id, params.nodeId, audit));
