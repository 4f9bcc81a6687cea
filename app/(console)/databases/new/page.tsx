import Link from "next/link";
import { listDatabases } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { DatabaseForm } from "@/components/inventory/database-form";
import { Breadcrumbs, EmptyState } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor, type SearchParams } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New database" };

export default async function NewDatabasePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const [clusters, primaries] = await Promise.all([clusterOptions(), listDatabases({ page: 1, pageSize: 200, role: "PRIMARY" })]);
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <>
      <Breadcrumbs items={[{ href: "/databases", label: "Databases" }, { label: "New" }]} />
      <PageHeader title="New database" description="A PostgreSQL instance: the cluster's primary, or a replica of it." />
      {clusters.length === 0 ? (
        <EmptyState>
          <p style={{ margin: 0 }}>A database instance belongs to a cluster, and there is none yet.</p>
          <Link href="/clusters/new">Create a cluster first</Link>
        </EmptyState>
      ) : (
        <div className="card">
          <DatabaseForm
            mode="create"
            clusters={clusters}
            defaultClusterId={defaultClusterId}
            primaries={Object.fromEntries(primaries.items.map((d) => [d.clusterId, d.name]))}
          />
        </div>
      )}
    </>
  );
}
