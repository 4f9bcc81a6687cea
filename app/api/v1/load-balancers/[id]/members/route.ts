import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { addPoolMember } from "@/lib/inventory/pool";

export const dynamic = "force-dynamic";

export const POST = handler(api.poolMembers.add, ({ params, body, audit }) => addPoolMember(params.id, body, audit));
