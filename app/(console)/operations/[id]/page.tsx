import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/api/problem";
import { toJson } from "@/lib/api/json";
import { getOperation } from "@/lib/operations/service";
import { operationParams } from "@/lib/config/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { OperationProgress, type OperationData } from "@/components/config/operation-progress";

export const dynamic = "force-dynamic";
export const metadata = { title: "Operation" };

const verb: Record<string, string> = {
  "node.drain": "Drain",
  "node.resume": "Resume",
  "node.maintenance": "Maintenance",
  "db.promote": "Promotion",
  "db.rebuild": "Rebuild",
};

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePage("operations:read");
  const id = (await params).id;
  if (!operationParams.safeParse({ id }).success) notFound();
  let op;
  try {
    op = await getOperation(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
  const initial = JSON.parse(toJson(op)) as OperationData;
  const raw = op.params as { revisionNumber?: number; nodeName?: string; candidateName?: string; candidateId?: string; memberName?: string };
  // A rebuild names its member like a promotion names its candidate.
  const p = op.kind === "db.rebuild" ? { ...raw, candidateName: raw.memberName, candidateId: op.subjectId } : raw;
  const isDeploy = op.kind === "config.deploy";
  const isPromote = op.kind === "db.promote" || op.kind === "db.rebuild";
  const title = isDeploy
    ? `Deployment of revision #${p.revisionNumber}`
    : `${verb[op.kind] ?? op.kind} of ${(isPromote ? p.candidateName : p.nodeName) ?? "a target"}`;
  const back = isDeploy
    ? { href: `/config/${op.subjectId}`, label: "Back to the configuration" }
    : isPromote
      ? { href: `/databases/${p.candidateId}`, label: `Back to ${p.candidateName}` }
      : { href: `/nodes/${op.subjectId}`, label: `Back to ${p.nodeName ?? "the node"}` };
  const canCancel = op.kind === "config.deploy" ? can(actor.role, "config:write") : op.kind === "node.drain" && can(actor.role, "operations:run");
  return (
    <>
      <Breadcrumbs
        items={
          isDeploy
            ? [{ href: "/config", label: "Configuration" }, { href: back.href, label: op.subjectId }, { label: title }]
            : [
                isPromote ? { href: "/databases", label: "Databases" } : { href: "/nodes", label: "App nodes" },
                { href: back.href, label: (isPromote ? p.candidateName : p.nodeName) ?? op.subjectId },
                { label: title },
              ]
        }
      />
      <PageHeader
        title={title}
        description={
          isDeploy ? "Each target counts once its agent answers with the revision's checksum. Follows live." : "Follows live; every step is recorded."
        }
        actions={
          <>
            <LiveIndicator />
            <Link className="btn" href={back.href}>
              {back.label}
            </Link>
          </>
        }
      />
      <OperationProgress initial={initial} canCancel={canCancel} canApprove={can(actor.role, "operations:run") && actor.userId !== op.requestedById} />
    </>
  );
}
