import { requirePage } from "@/lib/auth/session";
import { platformSummary } from "@/lib/inventory/service";
import { PageHeader } from "@/components/ui/page-header";
import { DashboardClient } from "@/components/dashboard/dashboard-client";

export const metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  await requirePage("inventory:read");
  const summary = await platformSummary();
  return (
    <>
      <PageHeader title="Dashboard" description="Every tier of the platform at a glance" />
      <DashboardClient initial={summary} />
    </>
  );
}
