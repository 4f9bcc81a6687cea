import { requirePage } from "@/lib/sign-in/session";
import { platformSummary } from "@/lib/inventory/summary";
import { needsAttentionWire } from "@/lib/attention/service";
import { NeedsAttention } from "@/components/attention/needs-attention";
import { metricRange } from "@/lib/metrics/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { DashboardClient } from "@/components/dashboard/dashboard-client";
import { DashboardLive } from "@/components/dashboard/dashboard-live";
import { LiveIndicator } from "@/components/realtime/live-indicator";

export const metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage("inventory:read");
  const [summary, attention, sp] = await Promise.all([platformSummary(), needsAttentionWire(), searchParams]);
  const range = Array.isArray(sp.range) ? sp.range[0] : sp.range;
  const badRange = range !== undefined && !metricRange.safeParse(range).success;
  return (
    <>
      <PageHeader title="Dashboard" description="Every tier of the platform at a glance" actions={<LiveIndicator />} />
      <div className="stack" style={{ gap: 24 }}>
        {badRange && (
          <div className="alert alert-warn" role="status">
            Unknown range &ldquo;{range.slice(0, 20)}&rdquo;: showing the last hour. Choose 15m, 1h, 24h or 7d.
          </div>
        )}
        <NeedsAttention initial={attention} showCluster />
        <DashboardClient initial={summary} />
        <DashboardLive />
      </div>
    </>
  );
}
