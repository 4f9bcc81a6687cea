import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "@/lib/sign-in/session";
import { can } from "@/lib/auth/permissions";
import { isDomainError } from "@/lib/common/errors";
import { toJson } from "@/lib/http/json";
import { getOperation } from "@/lib/operations/service";
import { operationParams } from "@/lib/config/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { OperationProgress } from "@/components/operations/operation-progress";
import { operationHeading } from "@/components/operations/operation-titles";
import { isOperationKind, operationKinds } from "@/lib/operations/kinds";
import type { OperationAnswer } from "@/lib/operations/schemas";

export const dynamic = "force-dynamic";
export const metadata = { title: "Operation" };

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePage("operations:read");
  const id = (await params).id;
  if (!operationParams.safeParse({ id }).success) notFound();
  let op;
  try {
    op = await getOperation(id);
  } catch (error) {
    if (isDomainError(error, "not_found")) notFound();
    throw error;
  }
  const initial = JSON.parse(toJson(op)) as OperationAnswer;
  const { title, back, section, subject } = operationHeading(op);
  const isDeploy = op.kind === "config.deploy";
  const cancelRule = isOperationKind(op.kind) ? operationKinds[op.kind].cancel : null;
  const canCancel = !!cancelRule && can(actor.role, cancelRule.permission);
  return (
    <>
      <Breadcrumbs items={[section, { href: back.href, label: subject }, { label: title }]} />
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
