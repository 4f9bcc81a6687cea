import type { SearchParams } from "@/lib/common/search-params";
import { NodeForm } from "@/components/inventory/node-form";
import { NewRecordPage } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New node" };

export default async function NewNodePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const clusters = await clusterOptions();
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <NewRecordPage
      list={{ href: "/nodes", label: "App nodes" }}
      title="New node"
      description="An application server; once created, add it to its load balancers' pools."
      needsCluster={clusters.length === 0 && "A node"}
    >
      <NodeForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} />
    </NewRecordPage>
  );
}
