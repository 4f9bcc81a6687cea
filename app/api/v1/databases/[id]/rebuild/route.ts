import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { idempotencyKey } from "@/lib/api/idempotency";
import { startRebuild } from "@/lib/operations/databases";
import { getOperation } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.databaseActions.rebuild, async ({ req, params, body, audit }) =>
  getOperation((await startRebuild(params.id, body.reason || "rebuild the former primary", audit, idempotencyKey(req))).id),
);
