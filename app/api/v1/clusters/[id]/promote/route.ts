import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { idempotencyKey } from "@/lib/api/idempotency";
import { startPromotion } from "@/lib/operations/databases";
import { getOperation } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.databaseActions.promote, async ({ req, params, body, audit }) =>
  getOperation((await startPromotion(params.id, body, audit, idempotencyKey(req))).id),
);
