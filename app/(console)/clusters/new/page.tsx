import { PageHeader } from "@/components/ui/page-header";
import { ClusterForm } from "@/components/inventory/cluster-form";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New cluster" };

export default async function NewClusterPage() {
  await pageActor("inventory:write");
  return (
    <>
      <Breadcrumbs items={[{ href: "/clusters", label: "Clusters" }, { label: "New" }]} />
      <PageHeader title="New cluster" description="A cluster holds one platform: its load balancers, app nodes and databases." />
      <div className="card">
        <ClusterForm mode="create" />
      </div>
    </>
  );
}
