import { notFound } from "next/navigation";
import { requirePage } from "@/lib/sign-in/session";
import { isDomainError } from "@/lib/common/errors";
import { getDraft } from "@/lib/config/targets";
import { resolveScope } from "@/lib/config/scopes";
import { scopeParams } from "@/lib/config/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { ConfigEditor } from "@/components/config/config-editor";

export const dynamic = "force-dynamic";
export const metadata = { title: "New revision · Configuration" };

export default async function EditScopePage({ params }: { params: Promise<{ scope: string }> }) {
  await requirePage("config:write");
  const key = (await params).scope;
  if (!scopeParams.safeParse({ scope: key }).success) notFound();
  let scope;
  try {
    scope = await resolveScope(key);
  } catch (error) {
    if (isDomainError(error, "not_found")) notFound();
    throw error;
  }
  const draft = await getDraft(key, true);
  return (
    <>
      <Breadcrumbs
        items={[
          { href: "/config", label: "Configuration" },
          { href: `/config/${scope.key}`, label: `${scope.name} (${scope.clusterName})` },
          { label: "New revision" },
        ]}
      />
      <PageHeader
        title={`New revision of ${scope.name}`}
        description="Starts from the latest revision. Saving validates first and changes no target; deploy the revision afterwards."
      />
      <ConfigEditor scopeKey={scope.key} kind={scope.kind} initialInput={draft.input as Record<string, unknown>} />
    </>
  );
}
