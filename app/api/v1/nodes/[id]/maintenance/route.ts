import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { idempotencyKey } from "@/lib/api/idempotency";
import { startNodeOperation } from "@/lib/operations/nodes";
import { getOperation } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.nodeActions.maintenance, async ({ req, params, body, audit }) => {
  const started = await startNodeOperation(params.id, { kind: "node.maintenance", body }, audit, idempotencyKey(req));
  return getOperation(started.id);
});
