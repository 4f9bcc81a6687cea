// The agent card on a node, load balancer or database page: which key the
// console signs with and when it was issued, and for admins the button that
// issues (or rotates) the credential and shows the agent's config once.
import "server-only";
import { agentCredentialInfo, type AgentSubject } from "@/lib/agents/service";
import { Time } from "@/components/ui/time";
import { IssueCredentialButton } from "@/components/agents/issue-credential-button";

export async function AgentEnrolment({
  subjectType,
  id,
  agentUrl,
  canEnrol,
  agentless = false,
}: {
  subjectType: AgentSubject;
  id: string;
  agentUrl: string | null;
  canEnrol: boolean;
  agentless?: boolean;
}) {
  if (agentless) return null;
  const credential = await agentCredentialInfo(subjectType, id);
  return (
    <section className="card stack" aria-labelledby={`agent-${id}`}>
      <h2 id={`agent-${id}`} style={{ margin: 0 }}>
        Agent
      </h2>
      {!agentUrl ? (
        <p className="muted">
          No agent: the console checks this address with a TCP probe instead. For full health and metrics, set an agent URL (Edit) and issue the agent its
          credential here.
        </p>
      ) : credential ? (
        <p>
          Enrolled: the console signs its requests to <span className="mono">{agentUrl}</span> with key <span className="mono">{credential.keyId}</span>, issued{" "}
          <Time value={credential.createdAt} />.
        </p>
      ) : (
        <p>
          Not enrolled: the console does not watch the agent at <span className="mono">{agentUrl}</span> until it has a credential.
        </p>
      )}
      {canEnrol && agentUrl && <IssueCredentialButton subjectType={subjectType} id={id} rotate={Boolean(credential)} />}
    </section>
  );
}
