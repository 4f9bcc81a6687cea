import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { idempotencyKey } from "@/lib/api/idempotency";
import { startNodeOperation } from "@/lib/operations/nodes";
import { getOperation } from "@/lib/operations/service";
import { NODE_RESUME } from "@/lib/operations/schemas";

export const dynamic = "force-dynamic";

export const POST = handler(api.nodeActions.resume, async ({ req, params, body, audit }) => {
  const started = await startNodeOperation(params.id, { kind: NODE_RESUME, body }, audit, idempotencyKey(req));
  return getOperation(started.id);
});
