import { can } from "@/lib/auth/permissions";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { lbKindValues, loadBalancerList } from "@/lib/inventory/schemas";
import { listLoadBalancers } from "@/lib/inventory/load-balancers";
import { clusterFilter, healthFilter } from "@/components/inventory/filter-bar";
import { LoadBalancerTable } from "@/components/inventory/tables";
import { firstStep, ListPage } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor } from "@/components/inventory/server";
import { kindLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "Load balancers" };

export default async function LoadBalancersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, valid: params, issues } = parseSearchParams(loadBalancerList, await searchParams);
  const [page, clusters] = await Promise.all([listLoadBalancers(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.kind || query.health);

  return (
    <ListPage
      title="Load balancers"
      description="The load-balancing tier: edge appliances and the software balancers that spread requests over the app nodes."
      basePath="/load-balancers"
      newLabel={canWrite && "New load balancer"}
      issues={issues}
      search={{
        q: query.q,
        label: "Load balancer name",
        selects: [
          clusterFilter(clusters, query.clusterId),
          { name: "kind", label: "Kind", value: query.kind, anyLabel: "All kinds", options: lbKindValues.map((k) => ({ value: k, label: kindLabels[k] })) },
          healthFilter(query.health),
        ],
      }}
      filtered={filtered}
      page={page}
      params={params}
      noMatch={{ text: "No load balancer matches these filters.", showAll: "Show all load balancers" }}
      empty={
        <>
          No load balancers yet. Add the balancers that take client traffic, then put app nodes in their pools.
          {firstStep(clusters.length, canWrite, "New load balancer")}
        </>
      }
    >
      <LoadBalancerTable items={page.items} label="Load balancers" />
    </ListPage>
  );
}
