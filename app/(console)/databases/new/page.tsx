import type { SearchParams } from "@/lib/common/search-params";
import { primaryNamesByCluster } from "@/lib/inventory/databases";
import { DatabaseForm } from "@/components/inventory/database-form";
import { NewRecordPage } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New database" };

export default async function NewDatabasePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const [clusters, primaries] = await Promise.all([clusterOptions(), primaryNamesByCluster()]);
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <NewRecordPage
      list={{ href: "/databases", label: "Databases" }}
      title="New database"
      description="A PostgreSQL instance: the cluster's primary, or a replica of it."
      needsCluster={clusters.length === 0 && "A database instance"}
    >
      <DatabaseForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} primaries={primaries} />
    </NewRecordPage>
  );
}
