import { requirePage } from "@/lib/sign-in/session";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { listTokens } from "@/lib/tokens/service";
import { tokenList } from "@/lib/tokens/schemas";
import { toJson, type Jsonify } from "@/lib/http/json";
import { InvalidFilters } from "@/components/ui/filters";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { NewTokenButton } from "@/components/tokens/new-token-button";
import { TokenFilters } from "@/components/tokens/token-filters";
import { TokensTable } from "@/components/tokens/tokens-table";

export const metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePage("tokens:manage");
  const { query, valid, issues } = parseSearchParams(tokenList, await searchParams);
  const page = await listTokens(query);
  // The table takes the rows as the API answers them (ISO times), the same type its mutations return.
  const tokens = JSON.parse(toJson(page.items)) as Jsonify<typeof page.items>;
  const renderedAt = new Date().getTime();
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Bearer tokens for scripts and integrations. A token never acts above its owner's current role."
        actions={<NewTokenButton />}
      />
      <InvalidFilters issues={issues} />
      <TokenFilters q={valid.q} includeRevoked={query.includeRevoked === "true"} />
      <TokensTable tokens={tokens} now={renderedAt} />
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/tokens" params={valid} />
    </>
  );
}
