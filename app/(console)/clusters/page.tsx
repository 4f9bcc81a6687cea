import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { clusterList } from "@/lib/inventory/schemas";
import { listClusters } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { FilterBar } from "@/components/inventory/filter-bar";
import { ClusterTable } from "@/components/inventory/tables";
import { EmptyState, IgnoredFilters, PastTheEnd, listHref } from "@/components/inventory/page-parts";
import { pageActor, parseListQuery, type SearchParams } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "Clusters" };

export default async function ClustersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, params, ignored } = parseListQuery(clusterList, await searchParams, ["q", "page", "pageSize"]);
  const page = await listClusters(query);
  const filtered = Boolean(query.q);

  return (
    <>
      <PageHeader
        title="Clusters"
        description="Each cluster groups one platform's load balancers, app nodes and databases."
        actions={
          canWrite && (
            <Link href="/clusters/new" className="btn btn-primary">
              New cluster
            </Link>
          )
        }
      />
      <IgnoredFilters ignored={ignored} />
      <FilterBar action="/clusters" q={query.q} searchLabel="Cluster name" selects={[]} pageSize={params.pageSize} active={filtered} />
      {page.total === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              <p style={{ margin: 0 }}>No cluster name contains “{query.q}”.</p>
              <Link href="/clusters">Show all clusters</Link>
            </>
          ) : (
            <p style={{ margin: 0 }}>
              No clusters yet. A cluster is where everything else lives: create one first, then add its load balancers, app nodes and databases.
              {canWrite ? " Use New cluster to create the first one." : " Ask an admin to create it."}
            </p>
          )}
        </EmptyState>
      ) : page.items.length === 0 ? (
        <PastTheEnd href={listHref("/clusters", params, { page: undefined })} />
      ) : (
        <ClusterTable items={page.items} label="Clusters" />
      )}
      {page.total > 0 && <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/clusters" params={params} />}
    </>
  );
}
