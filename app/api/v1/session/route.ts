import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { sessionState } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.session.get, async ({ actor }) => ({ session: await sessionState(actor) }));
