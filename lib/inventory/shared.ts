// What the inventory modules share: the audited transaction every write runs
// in, paging, the name filter, and the checks more than one entity makes.
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { SubjectType } from "@/lib/generated/prisma/enums";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { type FieldProblem, unprocessable } from "@/lib/common/errors";
import { describeForbidden, literalDestinationProblem } from "@/lib/agent-protocol/forbidden-address";
import { readDestinationPolicy } from "@/lib/net/destination-policy";

type Audited<T> = { result: T; targetId: string; summary?: Prisma.InputJsonValue };

/** Runs a change and its audit entry in one transaction. */
export async function audited<T>(audit: AuditContext, action: string, targetType: SubjectType, change: (tx: Tx) => Promise<Audited<T>>): Promise<T> {
  return db.$transaction(async (tx) => {
    const { result, targetId, summary } = await change(tx);
    await recordAudit(tx, audit, { action, targetType, targetId, summary });
    return result;
  });
}

export function paging(query: { page: number; pageSize: number }) {
  return { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
}

export const nameFilter = (q?: string) => (q ? { name: { contains: q, mode: "insensitive" as const } } : {});

export async function requireCluster(tx: Tx, clusterId: string) {
  const cluster = await tx.cluster.findUnique({ where: { id: clusterId }, select: { id: true } });
  if (!cluster) throw unprocessable("No such cluster", [{ path: "body.clusterId", message: "No cluster has this id" }]);
}

/**
 * A literal link-local or metadata address in an agent URL or a host is
 * refused here with the field named, unless an admin allows such
 * destinations. The console would refuse to connect there anyway (the
 * destination guard, at connect time, also catches names that resolve
 * there); this only says so while the form is still open. Hosts count too:
 * the prober connects to them, and a load balancer would proxy the public to
 * a node's address.
 */
export async function assertDestinations(tx: Tx, input: { host?: string; agentUrl?: string | null }) {
  const problems: FieldProblem[] = [];
  const check = (field: "host" | "agentUrl", host: string) => {
    const forbidden = literalDestinationProblem(host);
    if (forbidden)
      problems.push({
        path: `body.${field}`,
        message: `${describeForbidden(forbidden)}: the console does not connect there unless an admin allows link-local destinations (Settings)`,
      });
  };
  if (input.agentUrl) {
    let hostname: string | null = null;
    try {
      hostname = new URL(input.agentUrl).hostname;
    } catch {
      hostname = null; // the schema has already said what is wrong with it
    }
    if (hostname) check("agentUrl", hostname);
  }
  if (input.host) check("host", input.host);
  if (problems.length === 0 || (await readDestinationPolicy(tx)).allowLinkLocal) return;
  throw unprocessable("Link-local and cloud metadata addresses are refused", problems);
}
