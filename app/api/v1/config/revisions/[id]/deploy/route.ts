import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { idempotencyKey } from "@/lib/api/idempotency";
import { startDeployment } from "@/lib/config/deployments";

export const dynamic = "force-dynamic";

export const POST = handler(api.config.deploy, ({ req, params, body, audit }) => startDeployment(params.id, body, audit, idempotencyKey(req)));
