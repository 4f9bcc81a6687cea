import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { listLoadBalancers } from "@/lib/inventory/load-balancers";
import { listNodes } from "@/lib/inventory/nodes";
import { listDatabases } from "@/lib/inventory/databases";
import { listPoolers } from "@/lib/inventory/poolers";
import { PoolerTable } from "@/components/inventory/pooler-table";
import { clusterFigures } from "@/lib/inventory/summary";
import { needsAttentionWire } from "@/lib/attention/service";
import { NeedsAttention } from "@/components/attention/needs-attention";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/badge";
import { ClusterActions } from "@/components/inventory/entity-actions";
import { DatabaseTable, LoadBalancerTable, NodeTable } from "@/components/inventory/tables";
import { Breadcrumbs, DetailsCard, RecordTimes } from "@/components/inventory/page-parts";
import { AutoFailoverControl } from "@/components/operations/auto-failover-control";
import { ReplicationModeControl } from "@/components/operations/replication-mode-control";
import { Time } from "@/components/ui/time";
import { loadCluster, pageActor } from "@/components/inventory/server";
import { plural } from "@/components/inventory/labels";
import { clusterPartitionWorstCase } from "@/lib/operations/failover-bound";
import { observedSyncStandbyNames } from "@/lib/operations/sync-mode";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params) {
  await pageActor("inventory:read");
  const cluster = await loadCluster((await params).id);
  return { title: `${cluster.name} · Cluster` };
}

/** The tables show a cluster's first rows, with a link to the rest; figures come from clusterFigures, over every row. */
const FIRST_ROWS = { page: 1, pageSize: 200 } as const;

export default async function ClusterPage({ params }: Params) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const cluster = await loadCluster((await params).id);
  const [attention, lbs, nodes, dbs, poolers, figures, partition, observedSync] = await Promise.all([
    needsAttentionWire(cluster.id),
    listLoadBalancers({ ...FIRST_ROWS, clusterId: cluster.id }),
    listNodes({ ...FIRST_ROWS, clusterId: cluster.id }),
    listDatabases({ ...FIRST_ROWS, clusterId: cluster.id }),
    listPoolers({ ...FIRST_ROWS, clusterId: cluster.id }),
    clusterFigures(cluster.id),
    clusterPartitionWorstCase(cluster.id),
    // Only shown while the console leaves the value to the operator.
    cluster.syncMode === "UNMANAGED" ? observedSyncStandbyNames(cluster.id) : null,
  ]);
  const counts = cluster._count;
  const inUse = counts.loadBalancers + counts.nodes + counts.databases + counts.poolers > 0;

  const warnings: string[] = [];
  if (counts.nodes === 1) warnings.push("Only one app node: if it fails, nothing serves this cluster. Add a second one (N+1).");
  if (counts.databases > 0 && figures.primaries === 0) warnings.push("No database instance is marked primary: writes have nowhere to go.");
  if (counts.nodes > 0 && counts.loadBalancers === 0) warnings.push("App nodes but no load balancer: nothing spreads traffic over them.");

  return (
    <>
      <Breadcrumbs items={[{ href: "/clusters", label: "Clusters" }, { label: cluster.name }]} />
      <PageHeader
        title={cluster.name}
        description={cluster.description || undefined}
        actions={
          canWrite && (
            <ClusterActions
              id={cluster.id}
              initial={{ name: cluster.name, description: cluster.description, environment: cluster.environment }}
              deleteNote={
                inUse ? (
                  <div className="alert alert-warn">
                    {cluster.name} still has {plural(counts.loadBalancers, "load balancer")}, {plural(counts.nodes, "app node")},{" "}
                    {plural(counts.databases, "database instance")} and {plural(counts.poolers, "connection pooler")}. Only an empty cluster can be deleted:
                    delete those first.
                  </div>
                ) : (
                  <p>The cluster {cluster.name} is empty; only its record goes.</p>
                )
              }
            />
          )
        }
      />
      <div className="stack">
        <NeedsAttention clusterId={cluster.id} initial={attention} showCluster={false} />
        {warnings.map((w) => (
          <div key={w} className="alert alert-warn">
            {w}
          </div>
        ))}
        <DetailsCard id="cluster-props">
          <dt>Environment</dt>
          <dd>
            <Badge>{cluster.environment}</Badge>
          </dd>
          <dt>Description</dt>
          <dd className="wrap">{cluster.description || <span className="muted">none</span>}</dd>
          <dt>Inventory</dt>
          <dd>
            {plural(counts.loadBalancers, "load balancer")} · {plural(counts.nodes, "app node")} · {plural(counts.databases, "database instance")} ·{" "}
            {plural(counts.poolers, "connection pooler")}
          </dd>
          <dt>App capacity</dt>
          <dd>
            {figures.activeSessions.toLocaleString("en")} active of {figures.capacity.toLocaleString("en")} sessions
          </dd>
          <dt>Automatic failover</dt>
          <dd>
            <AutoFailoverControl
              clusterId={cluster.id}
              enabled={cluster.autoFailover}
              paused={cluster.autoFailoverPaused}
              canToggle={can(actor.role, "settings:write")}
              canPause={can(actor.role, "operations:run")}
            />
            {cluster.lastFailoverAt && (
              <span className="muted">
                {" "}
                · last automatic failover <Time value={cluster.lastFailoverAt} />
              </span>
            )}
          </dd>
          <dt>Synchronous replication</dt>
          <dd>
            <ReplicationModeControl
              clusterId={cluster.id}
              mode={cluster.syncMode}
              quorum={cluster.syncQuorum}
              onLoss={cluster.syncOnLoss}
              degraded={cluster.syncDegraded}
              observed={observedSync}
              canChange={can(actor.role, "settings:write")}
            />
          </dd>
          {partition.bounded !== null && (
            <>
              <dt>Failover after a partition</dt>
              <dd data-testid="partition-worst-case">
                {partition.bounded ? (
                  <span title="The replicas notice a silent primary only after wal_receiver_timeout (a managed PostgreSQL setting of this cluster, in its configuration); then the decision and the promotion">
                    at worst {Math.round(partition.worstCaseMs / 1000)} s (wal_receiver_timeout {Math.round(partition.walReceiverTimeoutMs / 1000)} s + 3 s)
                  </span>
                ) : (
                  <span className="error">never automatic: {partition.why}</span>
                )}
              </dd>
            </>
          )}
          <dt>Database generation</dt>
          <dd title="Bumped on every change of primary">{cluster.dbGeneration}</dd>
          <RecordTimes createdAt={cluster.createdAt} updatedAt={cluster.updatedAt} />
        </DetailsCard>

        <Section
          id="cluster-lbs"
          title="Load balancers"
          count={lbs.total}
          newHref={canWrite ? `/load-balancers/new?clusterId=${cluster.id}` : undefined}
          newLabel="New load balancer"
          allHref={`/load-balancers?clusterId=${cluster.id}`}
          shown={lbs.items.length}
          empty="No load balancers in this cluster."
        >
          <LoadBalancerTable items={lbs.items} label="Load balancers of this cluster" showCluster={false} />
        </Section>

        <Section
          id="cluster-nodes"
          title="App nodes"
          count={nodes.total}
          newHref={canWrite ? `/nodes/new?clusterId=${cluster.id}` : undefined}
          newLabel="New node"
          allHref={`/nodes?clusterId=${cluster.id}`}
          shown={nodes.items.length}
          empty="No app nodes in this cluster."
        >
          <NodeTable items={nodes.items} label="App nodes of this cluster" showCluster={false} />
        </Section>

        <Section
          id="cluster-dbs"
          title="Databases"
          count={dbs.total}
          newHref={canWrite ? `/databases/new?clusterId=${cluster.id}` : undefined}
          newLabel="New database"
          allHref={`/databases?clusterId=${cluster.id}`}
          shown={dbs.items.length}
          empty="No database instances in this cluster."
        >
          <DatabaseTable items={dbs.items} label="Databases of this cluster" showCluster={false} />
        </Section>

        <Section
          id="cluster-poolers"
          title="Connection poolers"
          count={poolers.total}
          newHref={canWrite ? `/poolers/new?clusterId=${cluster.id}` : undefined}
          newLabel="New pooler"
          allHref={`/poolers?clusterId=${cluster.id}`}
          shown={poolers.items.length}
          empty="No connection poolers in front of this cluster's database: the apps connect to it directly."
        >
          <PoolerTable items={poolers.items} label="Connection poolers of this cluster" showCluster={false} />
        </Section>
      </div>
    </>
  );
}

function Section({
  id,
  title,
  count,
  newHref,
  newLabel,
  allHref,
  shown,
  empty,
  children,
}: {
  id: string;
  title: string;
  count: number;
  newHref?: string;
  newLabel: string;
  allHref: string;
  shown: number;
  empty: string;
  children: React.ReactNode;
}) {
  return (
    <section className="stack" aria-labelledby={id}>
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id={id} style={{ margin: 0 }}>
          {title} <span className="muted">({count})</span>
        </h2>
        {newHref && (
          <Link href={newHref} className="btn btn-sm">
            {newLabel}
          </Link>
        )}
      </div>
      {count === 0 ? <div className="card empty">{empty}</div> : children}
      {count > shown && (
        <p className="muted">
          Showing {shown} of {count}. <Link href={allHref}>See them all</Link>
        </p>
      )}
    </section>
  );
}
