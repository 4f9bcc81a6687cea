import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { cancelOperation } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.operations.cancel, ({ params, body, audit }) => cancelOperation(params.id, body.reason, audit));
