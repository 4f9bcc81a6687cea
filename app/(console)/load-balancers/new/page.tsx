import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { LoadBalancerForm } from "@/components/inventory/load-balancer-form";
import { Breadcrumbs, EmptyState } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor, type SearchParams } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New load balancer" };

export default async function NewLoadBalancerPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const clusters = await clusterOptions();
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <>
      <Breadcrumbs items={[{ href: "/load-balancers", label: "Load balancers" }, { label: "New" }]} />
      <PageHeader title="New load balancer" description="A balancer that takes traffic for one cluster." />
      {clusters.length === 0 ? (
        <EmptyState>
          <p style={{ margin: 0 }}>A load balancer belongs to a cluster, and there is none yet.</p>
          <Link href="/clusters/new">Create a cluster first</Link>
        </EmptyState>
      ) : (
        <div className="card">
          <LoadBalancerForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} />
        </div>
      )}
    </>
  );
}
