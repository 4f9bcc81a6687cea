import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/api/problem";
import { toJson } from "@/lib/api/json";
import { getOperation } from "@/lib/config/service";
import { operationParams } from "@/lib/config/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { OperationProgress, type OperationData } from "@/components/config/operation-progress";

export const dynamic = "force-dynamic";
export const metadata = { title: "Deployment" };

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
  const revision = (op.params as { revisionNumber?: number }).revisionNumber;
  return (
    <>
      <Breadcrumbs items={[{ href: "/config", label: "Configuration" }, { href: `/config/${op.subjectId}`, label: op.subjectId }, { label: `Deployment of revision #${revision}` }]} />
      <PageHeader
        title={`Deployment of revision #${revision}`}
        description="Each target counts once its agent answers with the revision's checksum. Follows live."
        actions={
          <>
            <LiveIndicator />
            <Link className="btn" href={`/config/${op.subjectId}`}>
              Back to the configuration
            </Link>
          </>
        }
      />
      <OperationProgress initial={initial} canCancel={can(actor.role, "config:write")} />
    </>
  );
}
