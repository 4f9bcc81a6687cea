import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { can } from "@/lib/auth/permissions";
import { targetTypeOfPath } from "@/lib/config/schemas";
import { runningConfig } from "@/lib/config/targets";

export const dynamic = "force-dynamic";

export const GET = handler(api.config.running, ({ params, actor }) => runningConfig(targetTypeOfPath[params.type], params.id, can(actor.role, "config:write")));
