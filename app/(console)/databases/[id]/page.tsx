import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { clusterPrimary } from "@/lib/inventory/databases";
import { PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/badge";
import { HealthHelp, HealthProp } from "@/components/inventory/health-prop";
import { DatabaseActions } from "@/components/inventory/entity-actions";
import { PromoteButton } from "@/components/operations/promote-button";
import { RebuildButton } from "@/components/operations/rebuild-button";
import { ConfigProp } from "@/components/config/config-prop";
import { AgentProp, Breadcrumbs, ClusterProp, DetailsCard, RecordTimes } from "@/components/inventory/page-parts";
import { loadDatabase, pageActor } from "@/components/inventory/server";
import { address, bytes, roleLabel } from "@/components/inventory/labels";
import { SubjectLive } from "@/components/realtime/subject-live";
import { DatabaseReplication } from "@/components/inventory/database-replication";
import { AgentEnrolment } from "@/components/agents/agent-enrolment";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params) {
  await pageActor("inventory:read");
  const instance = await loadDatabase((await params).id);
  return { title: `${instance.name} · Database` };
}

export default async function DatabasePage({ params }: Params) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const instance = await loadDatabase((await params).id);
  const primary = instance.role === "PRIMARY";
  // A former primary a promotion fenced: never promoted again before it follows the new one.
  const fenced = instance.fence !== "NONE";
  const otherPrimary = await clusterPrimary(instance.clusterId, instance.id);

  return (
    <>
      <Breadcrumbs items={[{ href: "/databases", label: "Databases" }, { label: instance.name }]} />
      <PageHeader
        title={instance.name}
        description={`PostgreSQL ${roleLabel(instance.role).toLowerCase()} · ${address(instance.host, instance.port)}`}
        actions={
          <>
            {!primary && can(actor.role, "operations:run") && instance.agentUrl && (
              <RebuildButton id={instance.id} name={instance.name} needed={fenced || instance.replicationState !== "STREAMING"} />
            )}
            {!primary && can(actor.role, "operations:run") && instance.agentUrl && !fenced && (
              <PromoteButton id={instance.id} name={instance.name} clusterId={instance.clusterId} />
            )}
            {canWrite && (
              <DatabaseActions
                id={instance.id}
                clusterName={instance.cluster.name}
                otherPrimary={otherPrimary?.name ?? null}
                initial={{ name: instance.name, host: instance.host, port: instance.port, role: instance.role, agentUrl: instance.agentUrl }}
                deleteNote={
                  <>
                    {primary && (
                      <div className="alert alert-warn">
                        {instance.name} is the primary of {instance.cluster.name}: without it the cluster has no primary in the inventory, and failover has
                        nothing to promote from.
                      </div>
                    )}
                    <p>Only the inventory record goes; the PostgreSQL server itself is not touched. Its agent credentials are deleted with it.</p>
                  </>
                }
              />
            )}
          </>
        }
      />
      <div className="stack">
        {!primary && !otherPrimary && (
          <div className="alert alert-warn">
            The cluster {instance.cluster.name} has no primary in the inventory: this replica follows nothing the console knows.
          </div>
        )}
        <DetailsCard id="db-props">
          <ClusterProp cluster={instance.cluster} />
          <dt>Role</dt>
          <dd>{primary ? <StatusBadge value="PRIMARY" /> : roleLabel(instance.role)}</dd>
          {!primary && (
            <>
              <dt>Primary</dt>
              <dd>{otherPrimary ? <Link href={`/databases/${otherPrimary.id}`}>{otherPrimary.name}</Link> : <span className="muted">none</span>}</dd>
            </>
          )}
          <HealthProp subjectType="DATABASE" id={instance.id} health={instance.health} />
          <dt>Replication</dt>
          {/* A primary's state is its standbys', listed below. */}
          <dd>{primary ? <span className="muted">—</span> : <StatusBadge value={instance.replicationState} />}</dd>
          {fenced && (
            <>
              <dt>Fence</dt>
              <dd>
                <StatusBadge value={instance.fence} />{" "}
                <span className="muted">
                  {instance.fence === "FENCED"
                    ? "a former primary, stopped in order: it rejoins as a replica without a rebuild"
                    : "a former primary that may hold writes the primary lacks: rebuild it (pg_rewind, or a fresh clone)"}
                </span>
              </dd>
            </>
          )}
          {!primary && (
            <>
              <dt>Lag</dt>
              <dd>{bytes(instance.lagBytes)}</dd>
            </>
          )}
          <dt>Timeline</dt>
          <dd>{instance.timeline ?? <span className="muted">unknown</span>}</dd>
          <dt>Engine</dt>
          <dd>PostgreSQL</dd>
          <dt>Address</dt>
          <dd className="mono">{address(instance.host, instance.port)}</dd>
          <AgentProp url={instance.agentUrl} />
          <ConfigProp type="DATABASE" id={instance.id} clusterId={instance.clusterId} />
          <RecordTimes lastSeenAt={instance.lastSeenAt} createdAt={instance.createdAt} updatedAt={instance.updatedAt} />
        </DetailsCard>
        <HealthHelp />
        <DatabaseReplication id={instance.id} primary={primary} follows={primary ? null : otherPrimary} />
        <SubjectLive subjectType="DATABASE" subjectId={instance.id} primary={primary} />
        <AgentEnrolment subjectType="DATABASE" id={instance.id} agentUrl={instance.agentUrl} canEnrol={can(actor.role, "agents:enrol")} />
      </div>
    </>
  );
}
