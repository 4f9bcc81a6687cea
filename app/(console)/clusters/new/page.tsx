import { ClusterForm } from "@/components/inventory/cluster-form";
import { NewRecordPage } from "@/components/inventory/page-parts";
import { pageActor } from "@/components/inventory/server";

export const dynamic = "force-dynamic";
export const metadata = { title: "New cluster" };

export default async function NewClusterPage() {
  await pageActor("inventory:write");
  return (
    <NewRecordPage
      list={{ href: "/clusters", label: "Clusters" }}
      title="New cluster"
      description="A cluster holds one platform: its load balancers, app nodes and databases."
    >
      <ClusterForm mode="create" />
    </NewRecordPage>
  );
}
