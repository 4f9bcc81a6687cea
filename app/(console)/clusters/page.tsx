import { can } from "@/lib/auth/permissions";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { clusterList } from "@/lib/inventory/schemas";
import { listClusters } from "@/lib/inventory/clusters";
import { ClusterTable } from "@/components/inventory/tables";
import { ListPage } from "@/components/inventory/page-parts";
import { pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "Clusters" };

export default async function ClustersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, valid: params, issues } = parseSearchParams(clusterList, await searchParams);
  const page = await listClusters(query);
  const filtered = Boolean(query.q);

  return (
    <ListPage
      title="Clusters"
      description="Each cluster groups one platform's load balancers, app nodes and databases."
      basePath="/clusters"
      newLabel={canWrite && "New cluster"}
      issues={issues}
      search={{ q: query.q, label: "Cluster name" }}
      filtered={filtered}
      page={page}
      params={params}
      noMatch={{ text: `No cluster name contains “${query.q}”.`, showAll: "Show all clusters" }}
      empty={
        <>
          No clusters yet. A cluster is where everything else lives: create one first, then add its load balancers, app nodes and databases.
          {canWrite ? " Use New cluster to create the first one." : " Ask an admin to create it."}
        </>
      }
    >
      <ClusterTable items={page.items} label="Clusters" />
    </ListPage>
  );
}
