import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { healthValues, lbKindValues, loadBalancerList } from "@/lib/inventory/schemas";
import { listLoadBalancers } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { FilterBar } from "@/components/inventory/filter-bar";
import { LoadBalancerTable } from "@/components/inventory/tables";
import { EmptyState, IgnoredFilters, PastTheEnd, listHref } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor, parseListQuery, type SearchParams } from "@/components/inventory/server";
import { healthLabels, kindLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "Load balancers" };

export default async function LoadBalancersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, params, ignored } = parseListQuery(loadBalancerList, await searchParams, ["q", "clusterId", "kind", "health", "page", "pageSize"]);
  const [page, clusters] = await Promise.all([listLoadBalancers(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.kind || query.health);

  return (
    <>
      <PageHeader
        title="Load balancers"
        description="The load-balancing tier: edge appliances and the software balancers that spread requests over the app nodes."
        actions={
          canWrite && (
            <Link href="/load-balancers/new" className="btn btn-primary">
              New load balancer
            </Link>
          )
        }
      />
      <IgnoredFilters ignored={ignored} />
      <FilterBar
        action="/load-balancers"
        q={query.q}
        searchLabel="Load balancer name"
        pageSize={params.pageSize}
        active={filtered}
        selects={[
          { name: "clusterId", label: "Cluster", value: query.clusterId, anyLabel: "All clusters", options: clusters.map((c) => ({ value: c.id, label: c.name })) },
          { name: "kind", label: "Kind", value: query.kind, anyLabel: "All kinds", options: lbKindValues.map((k) => ({ value: k, label: kindLabels[k] })) },
          { name: "health", label: "Health", value: query.health, anyLabel: "Any health", options: healthValues.map((h) => ({ value: h, label: healthLabels[h] })) },
        ]}
      />
      {page.total === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              <p style={{ margin: 0 }}>No load balancer matches these filters.</p>
              <Link href="/load-balancers">Show all load balancers</Link>
            </>
          ) : (
            <p style={{ margin: 0 }}>
              No load balancers yet. Add the balancers that take client traffic, then put app nodes in their pools.
              {clusters.length === 0
                ? canWrite
                  ? " Create a cluster first."
                  : " There is no cluster yet either."
                : canWrite
                  ? " Use New load balancer to add one."
                  : " Ask an admin to add them."}
            </p>
          )}
        </EmptyState>
      ) : page.items.length === 0 ? (
        <PastTheEnd href={listHref("/load-balancers", params, { page: undefined })} />
      ) : (
        <LoadBalancerTable items={page.items} label="Load balancers" />
      )}
      {page.total > 0 && <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/load-balancers" params={params} />}
    </>
  );
}
