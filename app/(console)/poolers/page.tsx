import { can } from "@/lib/auth/permissions";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { poolerList } from "@/lib/inventory/schemas";
import { listPoolers } from "@/lib/inventory/poolers";
import { clusterFilter, healthFilter } from "@/components/inventory/filter-bar";
import { PoolerTable } from "@/components/inventory/pooler-table";
import { firstStep, ListPage } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "Connection poolers" };

export default async function PoolersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, valid: params, issues } = parseSearchParams(poolerList, await searchParams);
  const [page, clusters] = await Promise.all([listPoolers(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.health);

  return (
    <ListPage
      title="Connection poolers"
      description="PgBouncer in front of each cluster's database: where the apps connect, and what holds their writes through a switchover."
      basePath="/poolers"
      newLabel={canWrite && "New pooler"}
      issues={issues}
      search={{ q: query.q, label: "Pooler name", selects: [clusterFilter(clusters, query.clusterId), healthFilter(query.health)] }}
      filtered={filtered}
      page={page}
      params={params}
      noMatch={{ text: "No connection pooler matches these filters.", showAll: "Show all poolers" }}
      empty={
        <>
          No connection poolers yet.
          {firstStep(clusters.length, canWrite, "New pooler")}
        </>
      }
    >
      <PoolerTable items={page.items} label="Connection poolers" />
    </ListPage>
  );
}
