import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { revokeSession } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const DELETE = handler(api.sessions.end, ({ params, audit }) => revokeSession(params.id, audit));
