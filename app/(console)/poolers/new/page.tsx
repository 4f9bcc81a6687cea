import type { SearchParams } from "@/lib/common/search-params";
import { PoolerForm } from "@/components/inventory/pooler-form";
import { NewRecordPage } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New pooler" };

export default async function NewPoolerPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const clusters = await clusterOptions();
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <NewRecordPage
      list={{ href: "/poolers", label: "Connection poolers" }}
      title="New pooler"
      description="A PgBouncer in front of the cluster's database: the apps connect to it, and it follows the primary."
      needsCluster={clusters.length === 0 && "A connection pooler"}
    >
      <PoolerForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} />
    </NewRecordPage>
  );
}
