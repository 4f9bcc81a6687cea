// The handler has already counted this request as activity (every change
// made with the session cookie is); all that is left is to say how long the
// session now has.
import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { conflict } from "@/lib/common/errors";
import { sessionState } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.session.activity, async ({ actor }) => {
  if (actor.type !== "USER" || !actor.sessionId) throw conflict("Only a browser session has activity to record; an API token has no session");
  return { session: await sessionState(actor) };
});
