import { requirePage } from "@/lib/sign-in/session";
import { listAudit } from "@/lib/audit/trail";
import { toJson, type Jsonify } from "@/lib/http/json";
import type { SearchParams } from "@/lib/common/search-params";
import { FilterWarning } from "@/components/ui/filters";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { filterKeys, readAuditFilters } from "@/components/audit/audit-query";

export const metadata = { title: "Audit trail" };
export const dynamic = "force-dynamic";

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePage("audit:read");
  const { query, form, warnings } = readAuditFilters(await searchParams);
  const page = await listAudit(query);
  // The table takes the rows as the API answers them (ISO times), as lib/audit/schemas describes them.
  const entries = JSON.parse(toJson(page.items)) as Jsonify<typeof page.items>;
  const params: Record<string, string | undefined> = {};
  for (const key of filterKeys) params[key] = form[key];
  return (
    <>
      <PageHeader title="Audit trail" description="Who changed what, when, why and with what outcome. Newest first; times in UTC." />
      {warnings.length > 0 && <FilterWarning>Some filters were ignored: {warnings.join("; ")}.</FilterWarning>}
      <AuditFilters form={form} />
      <AuditTable entries={entries} />
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/audit" params={params} />
    </>
  );
}
