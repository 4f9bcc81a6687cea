// Inventory tables, rendered on the server: the list pages and the cluster
// page show the same columns. Names are plain text in links.
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import type { ClusterView, DatabaseView, LoadBalancerView, NodeView } from "@/lib/inventory/service";
import { address, bytes, kindLabel, roleLabel, rowHeader, tierLabel } from "@/components/inventory/labels";

type TableProps<T> = { items: T[]; label: string; showCluster?: boolean };

function ClusterLink({ cluster }: { cluster: { id: string; name: string } }) {
  return <Link href={`/clusters/${cluster.id}`}>{cluster.name}</Link>;
}

export function ClusterTable({ items, label }: Omit<TableProps<ClusterView>, "showCluster">) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Environment</th>
            <th scope="col">Load balancers</th>
            <th scope="col">App nodes</th>
            <th scope="col">Databases</th>
            <th scope="col">Description</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <th scope="row" style={rowHeader}>
                <Link href={`/clusters/${c.id}`}>{c.name}</Link>
              </th>
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
        </tbody>
      </table>
    </div>
  );
}

export function LoadBalancerTable({ items, label, showCluster = true }: TableProps<LoadBalancerView>) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showCluster && <th scope="col">Cluster</th>}
            <th scope="col">Address</th>
            <th scope="col">Kind</th>
            <th scope="col">Tier</th>
            <th scope="col">Health</th>
            <th scope="col">Members</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {items.map((lb) => (
            <tr key={lb.id}>
              <th scope="row" style={rowHeader}>
                <Link href={`/load-balancers/${lb.id}`}>{lb.name}</Link>
              </th>
              {showCluster && (
                <td>
                  <ClusterLink cluster={lb.cluster} />
                </td>
              )}
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
        </tbody>
      </table>
    </div>
  );
}

export function NodeTable({ items, label, showCluster = true }: TableProps<NodeView>) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showCluster && <th scope="col">Cluster</th>}
            <th scope="col">Address</th>
            <th scope="col">Health</th>
            <th scope="col">Admin state</th>
            <th scope="col">Sessions / capacity</th>
            <th scope="col">Weight</th>
            <th scope="col">Pools</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id}>
              <th scope="row" style={rowHeader}>
                <Link href={`/nodes/${n.id}`}>{n.name}</Link>
              </th>
              {showCluster && (
                <td>
                  <ClusterLink cluster={n.cluster} />
                </td>
              )}
              <td className="mono">{address(n.host, n.port)}</td>
              <td>
                <StatusBadge value={n.health} />
              </td>
              <td>
                <StatusBadge value={n.adminState} />
              </td>
              <td>
                {n.activeSessions.toLocaleString("en")} / {n.capacity.toLocaleString("en")}
              </td>
              <td>{n.weight}</td>
              <td>{n._count.memberships === 0 ? <span className="muted">none</span> : n._count.memberships}</td>
              <td>
                <Time value={n.lastSeenAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DatabaseTable({ items, label, showCluster = true }: TableProps<DatabaseView>) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showCluster && <th scope="col">Cluster</th>}
            <th scope="col">Address</th>
            <th scope="col">Role</th>
            <th scope="col">Health</th>
            <th scope="col">Replication</th>
            <th scope="col">Lag</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <th scope="row" style={rowHeader}>
                <Link href={`/databases/${d.id}`}>{d.name}</Link>
              </th>
              {showCluster && (
                <td>
                  <ClusterLink cluster={d.cluster} />
                </td>
              )}
              <td className="mono">{address(d.host, d.port)}</td>
              <td>{d.role === "PRIMARY" ? <StatusBadge value="PRIMARY" /> : roleLabel(d.role)}</td>
              <td>
                <StatusBadge value={d.health} />
              </td>
              <td>
                <StatusBadge value={d.replicationState} />
              </td>
              <td>{d.role === "PRIMARY" ? <span className="muted">—</span> : bytes(d.lagBytes)}</td>
              <td>
                <Time value={d.lastSeenAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
