import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { databaseList, dbRoleValues, healthValues } from "@/lib/inventory/schemas";
import { listDatabases } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { FilterBar } from "@/components/inventory/filter-bar";
import { DatabaseTable } from "@/components/inventory/tables";
import { EmptyState, IgnoredFilters, PastTheEnd, listHref } from "@/components/inventory/page-parts";
import { clusterOptions, pageActor, parseListQuery, type SearchParams } from "@/components/inventory/server";
import { healthLabels, roleLabels } from "@/components/inventory/labels";

export const dynamic = "force-dynamic";
export const metadata = { title: "Databases" };

export default async function DatabasesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const { query, params, ignored } = parseListQuery(databaseList, await searchParams, ["q", "clusterId", "role", "health", "page", "pageSize"]);
  const [page, clusters] = await Promise.all([listDatabases(query), clusterOptions()]);
  const filtered = Boolean(query.q || query.clusterId || query.role || query.health);

  return (
    <>
      <PageHeader
        title="Databases"
        description="The database tier: one primary per cluster and the replicas that follow it."
        actions={
          canWrite && (
            <Link href="/databases/new" className="btn btn-primary">
              New database
            </Link>
          )
        }
      />
      <IgnoredFilters ignored={ignored} />
      <FilterBar
        action="/databases"
        q={query.q}
        searchLabel="Instance name"
        pageSize={params.pageSize}
        active={filtered}
        selects={[
          { name: "clusterId", label: "Cluster", value: query.clusterId, anyLabel: "All clusters", options: clusters.map((c) => ({ value: c.id, label: c.name })) },
          { name: "role", label: "Role", value: query.role, anyLabel: "Any role", options: dbRoleValues.map((r) => ({ value: r, label: roleLabels[r] })) },
          { name: "health", label: "Health", value: query.health, anyLabel: "Any health", options: healthValues.map((h) => ({ value: h, label: healthLabels[h] })) },
        ]}
      />
      {page.total === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              <p style={{ margin: 0 }}>No database instance matches these filters.</p>
              <Link href="/databases">Show all databases</Link>
            </>
          ) : (
            <p style={{ margin: 0 }}>
              No database instances yet. Add the primary of each cluster first, then its replicas.
              {clusters.length === 0
                ? canWrite
                  ? " Create a cluster first."
                  : " There is no cluster yet either."
                : canWrite
                  ? " Use New database to add one."
                  : " Ask an admin to add them."}
            </p>
          )}
        </EmptyState>
      ) : page.items.length === 0 ? (
        <PastTheEnd href={listHref("/databases", params, { page: undefined })} />
      ) : (
        <DatabaseTable items={page.items} label="Database instances" />
      )}
      {page.total > 0 && <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/databases" params={params} />}
    </>
  );
}
