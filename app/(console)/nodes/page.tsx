import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { adminStateValues, healthValues, nodeList } from "@/lib/inventory/schemas";
import { listNodes } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { FilterBar } from "@/components/inventory/filter-bar";
import { NodeTable } from "@/components/inventory/tables";
import { EmptyState, IgnoredFilters, PastTheEnd, listHref } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor, parseListQuery, type SearchParams } from "@/components/inventory/server";
import { adminStateLabels, healthLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "App nodes" };

export default async function NodesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, params, ignored } = parseListQuery(nodeList, await searchParams, ["q", "clusterId", "health", "adminState", "page", "pageSize"]);
  const [page, clusters] = await Promise.all([listNodes(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.health || query.adminState);

  return (
    <>
      <PageHeader
        title="App nodes"
        description="The application servers behind the load balancers."
        actions={
          canWrite && (
            <Link href="/nodes/new" className="btn btn-primary">
              New node
            </Link>
          )
        }
      />
      <IgnoredFilters ignored={ignored} />
      <FilterBar
        action="/nodes"
        q={query.q}
        searchLabel="Node name"
        pageSize={params.pageSize}
        active={filtered}
        selects={[
          { name: "clusterId", label: "Cluster", value: query.clusterId, anyLabel: "All clusters", options: clusters.map((c) => ({ value: c.id, label: c.name })) },
          { name: "health", label: "Health", value: query.health, anyLabel: "Any health", options: healthValues.map((h) => ({ value: h, label: healthLabels[h] })) },
          {
            name: "adminState",
            label: "Admin state",
            value: query.adminState,
            anyLabel: "Any state",
            options: adminStateValues.map((s) => ({ value: s, label: adminStateLabels[s] })),
          },
        ]}
      />
      {page.total === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              <p style={{ margin: 0 }}>No node matches these filters.</p>
              <Link href="/nodes">Show all nodes</Link>
            </>
          ) : (
            <p style={{ margin: 0 }}>
              No app nodes yet. Add at least two per cluster, so that the others carry the load when one fails.
              {clusters.length === 0
                ? canWrite
                  ? " Create a cluster first."
                  : " There is no cluster yet either."
                : canWrite
                  ? " Use New node to add one."
                  : " Ask an admin to add them."}
            </p>
          )}
        </EmptyState>
      ) : page.items.length === 0 ? (
        <PastTheEnd href={listHref("/nodes", params, { page: undefined })} />
      ) : (
        <NodeTable items={page.items} label="App nodes" />
      )}
      {page.total > 0 && <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/nodes" params={params} />}
    </>
  );
}
