// Agent enrolment on the client: issuing (or rotating) an agent's credential.
// The answer holds the secret, shown once in the dialog that asked for it;
// the dialog drops it (reset) when it closes.
import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type { AgentSubject } from "@/lib/agents/schemas";

const issueRoute = {
  NODE: api.agentCredentials.node,
  LOAD_BALANCER: api.agentCredentials.loadBalancer,
  DATABASE: api.agentCredentials.database,
  POOLER: api.agentCredentials.pooler,
} as const satisfies Record<AgentSubject, unknown>;

export function useIssueAgentCredential(subjectType: AgentSubject, id: string) {
  return useMutation({
    mutationFn: () => callApi(issueRoute[subjectType], { params: { id } }),
    // The answer holds the secret: gone from the cache as soon as its dialog is.
    gcTime: 0,
  });
}
