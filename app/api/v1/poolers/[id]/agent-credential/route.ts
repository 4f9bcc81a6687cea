import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { issueAgentCredential } from "@/lib/agents/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.agentCredentials.pooler, ({ params, audit }) => issueAgentCredential("POOLER", params.id, audit));
