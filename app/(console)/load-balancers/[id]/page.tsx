import { can } from "@/lib/auth/permissions";
import { poolCandidates } from "@/lib/inventory/pool";
import { getRuntimeOverrides } from "@/lib/inventory/load-balancers";
import { PageHeader } from "@/components/ui/page-header";
import { HealthHelp, HealthProp } from "@/components/inventory/health-prop";
import { LoadBalancerActions } from "@/components/inventory/entity-actions";
import { PoolMembers } from "@/components/inventory/pool-members";
import { AgentProp, Breadcrumbs, ClusterProp, DetailsCard, RecordTimes } from "@/components/inventory/page-parts";
import { loadLoadBalancer, pageActor } from "@/components/inventory/server";
import { address, kindLabel, plural, tierLabel } from "@/components/inventory/labels";
import { SubjectLive } from "@/components/realtime/subject-live";
import { HaproxyStats } from "@/components/realtime/haproxy-stats";
import { ConfigProp } from "@/components/config/config-prop";
import { AgentEnrolment } from "@/components/agents/agent-enrolment";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params) {
  await pageActor("inventory:read");
  const lb = await loadLoadBalancer((await params).id);
  return { title: `${lb.name} · Load balancer` };
}

export default async function LoadBalancerPage({ params }: Params) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const lb = await loadLoadBalancer((await params).id);
  // Only an admin can add members, so only an admin needs the candidates.
  const candidates = canWrite ? await poolCandidates(lb.id) : [];
  const hardware = lb.kind === "HARDWARE";
  const overrides = lb.kind === "HAPROXY" && lb.agentUrl ? await getRuntimeOverrides(lb.id) : [];

  return (
    <>
      <Breadcrumbs items={[{ href: "/load-balancers", label: "Load balancers" }, { label: lb.name }]} />
      <PageHeader
        title={lb.name}
        description={`${kindLabel(lb.kind)} · ${tierLabel(lb.tier).toLowerCase()} tier · ${address(lb.host, lb.port)}`}
        actions={
          canWrite && (
            <LoadBalancerActions
              id={lb.id}
              clusterName={lb.cluster.name}
              initial={{ name: lb.name, kind: lb.kind, tier: lb.tier, host: lb.host, port: lb.port, agentUrl: lb.agentUrl }}
              deleteNote={
                <p>
                  {lb.members.length > 0
                    ? `Its pool of ${plural(lb.members.length, "member")} goes with it (${lb.members.map((m) => m.node.name).join(", ")}); the nodes themselves stay.`
                    : "Its pool is empty."}{" "}
                  {hardware ? "" : "Its agent credentials are deleted with it."}
                </p>
              }
            />
          )
        }
      />
      <div className="stack">
        <DetailsCard id="lb-props">
          <ClusterProp cluster={lb.cluster} />
          <HealthProp subjectType="LOAD_BALANCER" id={lb.id} health={lb.health} />
          <dt>Kind</dt>
          <dd>{kindLabel(lb.kind)}</dd>
          <dt>Tier</dt>
          <dd>{tierLabel(lb.tier)}</dd>
          <dt>Address</dt>
          <dd className="mono">{address(lb.host, lb.port)}</dd>
          <AgentProp url={lb.agentUrl} none={hardware ? "none: probed over HTTP/TCP" : undefined} />
          {lb.kind === "HAPROXY" && <ConfigProp type="LOAD_BALANCER" id={lb.id} clusterId={lb.clusterId} />}
          <RecordTimes lastSeenAt={lb.lastSeenAt} createdAt={lb.createdAt} updatedAt={lb.updatedAt} />
        </DetailsCard>
        <HealthHelp />
        <SubjectLive subjectType="LOAD_BALANCER" subjectId={lb.id} />
        {lb.kind === "HAPROXY" && lb.agentUrl && (
          <HaproxyStats
            loadBalancerId={lb.id}
            nodes={lb.members.map((m) => ({ id: m.node.id, name: m.node.name }))}
            overrides={overrides.map((o) => ({ ...o, expiresAt: o.expiresAt?.toISOString() ?? null }))}
          />
        )}
        <AgentEnrolment
          subjectType="LOAD_BALANCER"
          id={lb.id}
          agentUrl={lb.agentUrl}
          canEnrol={can(actor.role, "agents:enrol")}
          agentless={lb.kind === "HARDWARE"}
        />

        <section className="stack" aria-labelledby="lb-pool">
          <h2 id="lb-pool" style={{ margin: 0 }}>
            Pool <span className="muted">({lb.members.length})</span>
          </h2>
          <PoolMembers
            loadBalancerId={lb.id}
            loadBalancerName={lb.name}
            clusterId={lb.cluster.id}
            clusterName={lb.cluster.name}
            canWrite={canWrite}
            candidates={candidates}
            members={lb.members.map((m) => ({
              nodeId: m.node.id,
              name: m.node.name,
              host: m.node.host,
              port: m.node.port,
              weight: m.weight,
              backup: m.backup,
              health: m.node.health,
              adminState: m.node.adminState,
            }))}
          />
        </section>
      </div>
    </>
  );
}
