import Link from "next/link";
import { requirePage } from "@/lib/sign-in/session";
import { listScopes } from "@/lib/config/targets";
import { PageHeader } from "@/components/ui/page-header";
import { DataTable, rowHeader } from "@/components/ui/table";
import { StatusBadge } from "@/components/ui/badge";
import { LiveIndicator } from "@/components/realtime/live-indicator";

export const metadata = { title: "Configuration" };
export const dynamic = "force-dynamic";

const kindLabel = { APP: "App settings", POSTGRES: "PostgreSQL", HAPROXY: "HAProxy" } as const;

export default async function ConfigPage() {
  await requirePage("config:read");
  const scopes = await listScopes();
  return (
    <>
      <PageHeader
        title="Configuration"
        description="What the console deploys to each tier: app node settings and PostgreSQL settings per cluster, and each HAProxy's configuration generated from its pool."
        actions={<LiveIndicator />}
      />
      <DataTable
        label="Configurations"
        columns={["Configuration", "Cluster", "Kind", "Latest revision", "Drift", "Deployment"]}
        empty={scopes.length === 0 && "No cluster yet: configurations appear with the clusters."}
      >
        {scopes.map((s) => (
          <tr key={s.key}>
            <th scope="row" style={rowHeader}>
              <Link href={`/config/${s.key}`}>{s.name}</Link>
            </th>
            <td>{s.clusterName}</td>
            <td>{kindLabel[s.kind]}</td>
            <td>{s.latestRevision ? `#${s.latestRevision}` : <span className="muted">none yet</span>}</td>
            <td>
              {s.drifted > 0 ? <StatusBadge value="DRIFT" /> : <span className="muted">—</span>}
              {s.drifted > 1 ? ` ×${s.drifted}` : ""}
            </td>
            <td>{s.activeDeployment ? <Link href={`/operations/${s.activeDeployment}`}>in progress</Link> : <span className="muted">—</span>}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
