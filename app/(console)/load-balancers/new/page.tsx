import type { SearchParams } from "@/lib/common/search-params";
import { LoadBalancerForm } from "@/components/inventory/load-balancer-form";
import { NewRecordPage } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New load balancer" };

export default async function NewLoadBalancerPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const clusters = await clusterOptions();
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <NewRecordPage
      list={{ href: "/load-balancers", label: "Load balancers" }}
      title="New load balancer"
      description="A balancer that takes traffic for one cluster."
      needsCluster={clusters.length === 0 && "A load balancer"}
    >
      <LoadBalancerForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} />
    </NewRecordPage>
  );
}
