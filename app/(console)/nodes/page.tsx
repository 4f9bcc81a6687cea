import { can } from "@/lib/auth/permissions";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { adminStateValues, nodeList } from "@/lib/inventory/schemas";
import { listNodes } from "@/lib/inventory/nodes";
import { clusterFilter, healthFilter } from "@/components/inventory/filter-bar";
import { NodeTable } from "@/components/inventory/tables";
import { firstStep, ListPage } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor } from "@/components/inventory/server";
import { adminStateLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "App nodes" };

export default async function NodesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, valid: params, issues } = parseSearchParams(nodeList, await searchParams);
  const [page, clusters] = await Promise.all([listNodes(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.health || query.adminState);

  return (
    <ListPage
      title="App nodes"
      description="The application servers behind the load balancers."
      basePath="/nodes"
      newLabel={canWrite && "New node"}
      issues={issues}
      search={{
        q: query.q,
        label: "Node name",
        selects: [
          clusterFilter(clusters, query.clusterId),
          healthFilter(query.health),
          {
            name: "adminState",
            label: "Admin state",
            value: query.adminState,
            anyLabel: "Any state",
            options: adminStateValues.map((s) => ({ value: s, label: adminStateLabels[s] })),
          },
        ],
      }}
      filtered={filtered}
      page={page}
      params={params}
      noMatch={{ text: "No node matches these filters.", showAll: "Show all nodes" }}
      empty={
        <>
          No app nodes yet. Add at least two per cluster, so that the others carry the load when one fails.
          {firstStep(clusters.length, canWrite, "New node")}
        </>
      }
    >
      <NodeTable items={page.items} label="App nodes" />
    </ListPage>
  );
}
