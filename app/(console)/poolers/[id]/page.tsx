import { can } from "@/lib/auth/permissions";
import { PageHeader } from "@/components/ui/page-header";
import { PoolerActions } from "@/components/inventory/entity-actions";
import { PoolerTable } from "@/components/inventory/pooler-table";
import { AgentProp, Breadcrumbs, ClusterProp, DetailsCard, RecordTimes } from "@/components/inventory/page-parts";
import { loadPooler, pageActor } from "@/components/inventory/server";
import { address } from "@/components/inventory/labels";
import { AgentEnrolment } from "@/components/agents/agent-enrolment";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params) {
  await pageActor("inventory:read");
  const pooler = await loadPooler((await params).id);
  return { title: `${pooler.name} · Pooler` };
}

export default async function PoolerPage({ params }: Params) {
  const actor = await pageActor("inventory:read");
  const pooler = await loadPooler((await params).id);
  return (
    <>
      <Breadcrumbs items={[{ href: "/poolers", label: "Connection poolers" }, { label: pooler.name }]} />
      <PageHeader
        title={pooler.name}
        description={`PgBouncer · ${address(pooler.host, pooler.port)}`}
        actions={
          can(actor.role, "inventory:write") && (
            <PoolerActions
              id={pooler.id}
              clusterId={pooler.clusterId}
              clusterName={pooler.cluster.name}
              initial={{ name: pooler.name, host: pooler.host, port: pooler.port, agentUrl: pooler.agentUrl }}
              deleteNote={<p>Only the inventory record goes; PgBouncer itself is not touched. Its agent credentials are deleted with it.</p>}
            />
          )
        }
      />
      <div className="stack">
        <DetailsCard id="pooler-props">
          <ClusterProp cluster={pooler.cluster} />
          <dt>Address</dt>
          <dd className="mono">{address(pooler.host, pooler.port)}</dd>
          <AgentProp url={pooler.agentUrl} />
          <RecordTimes lastSeenAt={pooler.lastSeenAt} createdAt={pooler.createdAt} updatedAt={pooler.updatedAt} />
        </DetailsCard>
        <section className="stack" aria-labelledby="pooler-live">
          <h2 id="pooler-live" style={{ margin: 0 }}>
            Now
          </h2>
          <PoolerTable items={[pooler]} label="The pooler now" showCluster={false} />
        </section>
        <AgentEnrolment subjectType="POOLER" id={pooler.id} agentUrl={pooler.agentUrl} canEnrol={can(actor.role, "agents:enrol")} />
      </div>
    </>
  );
}
