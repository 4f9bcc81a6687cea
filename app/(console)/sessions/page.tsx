import { requirePage } from "@/lib/sign-in/session";
import { listOpenSessions, sessionLimits } from "@/lib/sessions/service";
import { duration } from "@/lib/sessions/policy";
import { toJson, type Jsonify } from "@/lib/http/json";
import { PageHeader } from "@/components/ui/page-header";
import { SessionsTable } from "@/components/sessions/sessions-table";
import { NewDisplayButton } from "@/components/sessions/new-display-button";

export const metadata = { title: "Sessions" };
export const dynamic = "force-dynamic";

export default async function SessionsPage() {
  const actor = await requirePage("users:manage");
  const open = await listOpenSessions();
  // The table takes the rows as the API answers them (ISO times), the same type its mutations return.
  const sessions = JSON.parse(toJson(open)) as Jsonify<typeof open>;
  const { idleSeconds, maxAgeSeconds } = sessionLimits();
  return (
    <>
      <PageHeader
        title="Sessions"
        description={`Who is signed in, and the wall displays. A session ends at sign-out, after ${duration(idleSeconds)} without activity, or ${duration(maxAgeSeconds)} after sign-in; end one here to stop it at once.`}
        actions={<NewDisplayButton />}
      />
      <SessionsTable sessions={sessions} currentSessionId={actor.type === "USER" ? (actor.sessionId ?? null) : null} />
    </>
  );
}
