import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { NodeForm } from "@/components/inventory/node-form";
import { Breadcrumbs, EmptyState } from "@/components/inventory/page-parts";
import { clusterOptions, defaultCluster, pageActor, type SearchParams } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New node" };

export default async function NewNodePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await pageActor("inventory:write");
  const clusters = await clusterOptions();
  const defaultClusterId = defaultCluster(clusters, await searchParams);
  return (
    <>
      <Breadcrumbs items={[{ href: "/nodes", label: "App nodes" }, { label: "New" }]} />
      <PageHeader title="New node" description="An application server; once created, add it to its load balancers' pools." />
      {clusters.length === 0 ? (
        <EmptyState>
          <p style={{ margin: 0 }}>A node belongs to a cluster, and there is none yet.</p>
          <Link href="/clusters/new">Create a cluster first</Link>
        </EmptyState>
      ) : (
        <div className="card">
          <NodeForm mode="create" clusters={clusters} defaultClusterId={defaultClusterId} />
        </div>
      )}
    </>
  );
}
