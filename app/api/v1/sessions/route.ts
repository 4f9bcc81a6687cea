import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listOpenSessions } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.sessions.list, async () => ({ items: await listOpenSessions() }));
