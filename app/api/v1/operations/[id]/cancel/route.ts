import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { cancelDeployment } from "@/lib/config/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.operations.cancel, ({ params, body, audit }) => cancelDeployment(params.id, body.reason, audit));
