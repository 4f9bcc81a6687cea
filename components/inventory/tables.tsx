// Inventory tables, rendered on the server: the list pages and the cluster
// page show the same columns. Names are plain text in links.
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { SessionsOfCapacity } from "@/components/inventory/sessions";
import { DataTable, RowHeaderLink } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { ClusterView } from "@/lib/inventory/clusters";
import type { LoadBalancerView } from "@/lib/inventory/load-balancers";
import type { NodeView } from "@/lib/inventory/nodes";
import type { DatabaseView } from "@/lib/inventory/databases";
import { address, bytes, kindLabel, roleLabel, tierLabel } from "@/components/inventory/labels";

type TableProps<T> = { items: T[]; label: string; showCluster?: boolean };

/** The Cluster column, left out on the cluster's own page. */
function ClusterCell({ cluster, show }: { cluster: { id: string; name: string }; show: boolean }) {
  if (!show) return null;
  return (
    <td>
      <Link href={`/clusters/${cluster.id}`}>{cluster.name}</Link>
    </td>
  );
}

export function ClusterTable({ items, label }: Omit<TableProps<ClusterView>, "showCluster">) {
  return (
    <DataTable label={label} columns={["Name", "Environment", "Load balancers", "App nodes", "Databases", "Description", "Updated"]}>
      {items.map((c) => (
        <tr key={c.id}>
          <RowHeaderLink href={`/clusters/${c.id}`}>{c.name}</RowHeaderLink>
          <td>
            <Badge>{c.environment}</Badge>
          </td>
          <td>{c._count.loadBalancers}</td>
          <td>{c._count.nodes}</td>
          <td>{c._count.databases}</td>
          <td className="wrap muted">{c.description ? truncate(c.description, 120) : "—"}</td>
          <td>
            <Time value={c.updatedAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function LoadBalancerTable({ items, label, showCluster = true }: TableProps<LoadBalancerView>) {
  return (
    <DataTable label={label} columns={["Name", showCluster && "Cluster", "Address", "Kind", "Tier", "Health", "Members", "Last seen"]}>
      {items.map((lb) => (
        <tr key={lb.id}>
          <RowHeaderLink href={`/load-balancers/${lb.id}`}>{lb.name}</RowHeaderLink>
          <ClusterCell cluster={lb.cluster} show={showCluster} />
          <td className="mono">{address(lb.host, lb.port)}</td>
          <td>{kindLabel(lb.kind)}</td>
          <td>{tierLabel(lb.tier)}</td>
          <td>
            <StatusBadge value={lb.health} />
          </td>
          <td>{lb.kind === "HARDWARE" && lb._count.members === 0 ? <span className="muted">—</span> : lb._count.members}</td>
          <td>
            <Time value={lb.lastSeenAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function NodeTable({ items, label, showCluster = true }: TableProps<NodeView>) {
  return (
    <DataTable
      label={label}
      columns={["Name", showCluster && "Cluster", "Address", "Health", "Admin state", "Sessions / capacity", "Weight", "Pools", "Last seen"]}
    >
      {items.map((n) => (
        <tr key={n.id}>
          <RowHeaderLink href={`/nodes/${n.id}`}>{n.name}</RowHeaderLink>
          <ClusterCell cluster={n.cluster} show={showCluster} />
          <td className="mono">{address(n.host, n.port)}</td>
          <td>
            <StatusBadge value={n.health} />
          </td>
          <td>
            <StatusBadge value={n.adminState} />
          </td>
          <td>
            <SessionsOfCapacity active={n.activeSessions} capacity={n.capacity} />
          </td>
          <td>{n.weight}</td>
          <td>{n._count.memberships === 0 ? <span className="muted">none</span> : n._count.memberships}</td>
          <td>
            <Time value={n.lastSeenAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function DatabaseTable({ items, label, showCluster = true }: TableProps<DatabaseView>) {
  return (
    <DataTable label={label} columns={["Name", showCluster && "Cluster", "Address", "Role", "Health", "Replication", "Lag", "Last seen"]}>
      {items.map((d) => (
        <tr key={d.id}>
          <RowHeaderLink href={`/databases/${d.id}`}>{d.name}</RowHeaderLink>
          <ClusterCell cluster={d.cluster} show={showCluster} />
          <td className="mono">{address(d.host, d.port)}</td>
          <td>{d.role === "PRIMARY" ? <StatusBadge value="PRIMARY" /> : roleLabel(d.role)}</td>
          <td>
            <StatusBadge value={d.health} />
          </td>
          <td>{d.role === "PRIMARY" ? <span className="muted">—</span> : <StatusBadge value={d.replicationState} />}</td>
          <td>{d.role === "PRIMARY" ? <span className="muted">—</span> : bytes(d.lagBytes)}</td>
          <td>
            <Time value={d.lastSeenAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
