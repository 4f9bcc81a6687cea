import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { targetTypeOfPath } from "@/lib/config/schemas";
import { reconcileTarget } from "@/lib/config/deployments";

export const dynamic = "force-dynamic";

export const POST = handler(api.config.reconcile, ({ params, body, audit }) => reconcileTarget(targetTypeOfPath[params.type], params.id, body.reason, audit));
