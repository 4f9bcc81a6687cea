import { requirePage } from "@/lib/auth/session";
import { listTokens } from "@/lib/tokens/service";
import { tokenList } from "@/lib/tokens/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { NewTokenButton } from "@/components/tokens/new-token-button";
import { TokenFilters } from "@/components/tokens/token-filters";
import { TokensTable } from "@/components/tokens/tokens-table";
import { paginationParams, parseSearchParams, type RawSearchParams } from "@/components/audit/search-params";

export const metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await requirePage("tokens:manage");
  const { query, values, issues } = parseSearchParams(tokenList, await searchParams);
  const page = await listTokens(query);
  const renderedAt = new Date().getTime();
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Bearer tokens for scripts and integrations. A token never acts above its owner's current role."
        actions={<NewTokenButton />}
      />
      {issues.length > 0 && (
        <div className="alert alert-warn" role="status" style={{ marginBottom: 12 }}>
          Some filters in the address were not valid and are ignored: {issues.map((i) => `${i.key} (${i.message})`).join("; ")}.
        </div>
      )}
      <TokenFilters q={issues.some((i) => i.key === "q") ? undefined : values.q} includeRevoked={query.includeRevoked === "true"} />
      <TokensTable tokens={page.items} now={renderedAt} />
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/tokens" params={paginationParams(values, ["q", "includeRevoked", "pageSize"], issues)} />
    </>
  );
}
