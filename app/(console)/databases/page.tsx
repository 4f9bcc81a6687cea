import { can } from "@/lib/auth/permissions";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { databaseList, dbRoleValues } from "@/lib/inventory/schemas";
import { listDatabases } from "@/lib/inventory/databases";
import { clusterFilter, healthFilter } from "@/components/inventory/filter-bar";
import { DatabaseTable } from "@/components/inventory/tables";
import { firstStep, ListPage } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor } from "@/components/inventory/server";
import { roleLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "Databases" };

export default async function DatabasesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, valid: params, issues } = parseSearchParams(databaseList, await searchParams);
  const [page, clusters] = await Promise.all([listDatabases(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.role || query.health);

  return (
    <ListPage
      title="Databases"
      description="The database tier: one primary per cluster and the replicas that follow it."
      basePath="/databases"
      newLabel={canWrite && "New database"}
      issues={issues}
      search={{
        q: query.q,
        label: "Instance name",
        selects: [
          clusterFilter(clusters, query.clusterId),
          { name: "role", label: "Role", value: query.role, anyLabel: "Any role", options: dbRoleValues.map((r) => ({ value: r, label: roleLabels[r] })) },
          healthFilter(query.health),
        ],
      }}
      filtered={filtered}
      page={page}
      params={params}
      noMatch={{ text: "No database instance matches these filters.", showAll: "Show all databases" }}
      empty={
        <>
          No database instances yet. Add the primary of each cluster first, then its replicas.
          {firstStep(clusters.length, canWrite, "New database")}
        </>
      }
    >
      <DatabaseTable items={page.items} label="Database instances" />
    </ListPage>
  );
}
