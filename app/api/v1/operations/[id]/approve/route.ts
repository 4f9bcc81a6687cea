import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { approveOperation } from "@/lib/operations/approval";

export const dynamic = "force-dynamic";

export const POST = handler(api.operations.approve, ({ params, body, audit }) => approveOperation(params.id, body.reason, audit));
