import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { activeNodeOperation } from "@/lib/operations/service";
import { NodeIncidentActions } from "@/components/operations/node-actions";
import { PageHeader } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/badge";
import { HealthHelp, HealthProp } from "@/components/inventory/health-prop";
import { SessionsOfCapacity } from "@/components/inventory/sessions";
import { DataTable, RowHeaderLink } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { NodeActions } from "@/components/inventory/entity-actions";
import { ConfigProp } from "@/components/config/config-prop";
import { AgentProp, Breadcrumbs, ClusterProp, DetailsCard, RecordTimes } from "@/components/inventory/page-parts";
import { loadNode, pageActor } from "@/components/inventory/server";
import { address, kindLabel, plural } from "@/components/inventory/labels";
import { SubjectLive } from "@/components/realtime/subject-live";
import { AgentEnrolment } from "@/components/agents/agent-enrolment";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params) {
  await pageActor("inventory:read");
  const node = await loadNode((await params).id);
  return { title: `${node.name} · Node` };
}

export default async function NodePage({ params }: Params) {
  const actor = await pageActor("inventory:read");
  const canWrite = can(actor.role, "inventory:write");
  const node = await loadNode((await params).id);
  const inService = node.adminState === "ACTIVE" && (node.health === "UP" || node.health === "DEGRADED");
  const pools = node.memberships;
  const canRun = can(actor.role, "operations:run");
  const activeOperation = await activeNodeOperation(node.id);

  return (
    <>
      <Breadcrumbs items={[{ href: "/nodes", label: "App nodes" }, { label: node.name }]} />
      <PageHeader
        title={node.name}
        description={`App node · ${address(node.host, node.port)}`}
        actions={
          <>
            {activeOperation && (
              <Link className="btn" href={`/operations/${activeOperation.id}`}>
                {activeOperation.kind.replace("node.", "")} in progress
              </Link>
            )}
            {canRun && !activeOperation && <NodeIncidentActions id={node.id} name={node.name} adminState={node.adminState} />}
            {canWrite && (
              <NodeActions
                id={node.id}
                clusterName={node.cluster.name}
                initial={{ name: node.name, host: node.host, port: node.port, weight: node.weight, capacity: node.capacity, agentUrl: node.agentUrl }}
                deleteNote={
                  <>
                    {inService && (
                      <div className="alert alert-warn">
                        {node.name} is in service ({node.activeSessions.toLocaleString("en")} active sessions). Drain it first so its sessions are not cut.
                      </div>
                    )}
                    <p>
                      {node.name} ({address(node.host, node.port)}) leaves the inventory.{" "}
                      {pools.length > 0
                        ? `It leaves the pool of ${plural(pools.length, "load balancer")} (${pools.map((p) => p.loadBalancer.name).join(", ")}).`
                        : "It is in no load balancer's pool."}{" "}
                      Its agent credentials are deleted with it.
                    </p>
                  </>
                }
              />
            )}
          </>
        }
      />
      <div className="stack">
        <DetailsCard id="node-props">
          <ClusterProp cluster={node.cluster} />
          <HealthProp subjectType="NODE" id={node.id} health={node.health} />
          <dt>Admin state</dt>
          <dd>
            <StatusBadge value={node.adminState} />
            {node.maintenanceReason && <span className="muted"> — {node.maintenanceReason}</span>}
            {node.maintenanceUntil && (
              <span className="muted">
                {" "}
                until <Time value={node.maintenanceUntil} />
              </span>
            )}
          </dd>
          <dt>Address</dt>
          <dd className="mono">{address(node.host, node.port)}</dd>
          <dt>Sessions</dt>
          <dd>
            <SessionsOfCapacity active={node.activeSessions} capacity={node.capacity} wordy />
          </dd>
          <dt>Default weight</dt>
          <dd>{node.weight}</dd>
          <AgentProp url={node.agentUrl} />
          <ConfigProp type="NODE" id={node.id} clusterId={node.clusterId} />
          <RecordTimes lastSeenAt={node.lastSeenAt} createdAt={node.createdAt} updatedAt={node.updatedAt} />
        </DetailsCard>
        <HealthHelp />
        <SubjectLive subjectType="NODE" subjectId={node.id} />
        <AgentEnrolment subjectType="NODE" id={node.id} agentUrl={node.agentUrl} canEnrol={can(actor.role, "agents:enrol")} />

        <section className="stack" aria-labelledby="node-pools">
          <h2 id="node-pools" style={{ margin: 0 }}>
            Load balancer pools <span className="muted">({pools.length})</span>
          </h2>
          {pools.length === 0 ? (
            <div className="card empty">
              In no pool yet, so no load balancer sends it traffic. Add it from a load balancer&apos;s page in {node.cluster.name}.
            </div>
          ) : (
            <DataTable label="Pools holding it" columns={["Load balancer", "Kind", "Health", "Pool weight", "Backup"]}>
              {pools.map((p) => (
                <tr key={p.id}>
                  <RowHeaderLink href={`/load-balancers/${p.loadBalancer.id}`}>{p.loadBalancer.name}</RowHeaderLink>
                  <td>{kindLabel(p.loadBalancer.kind)}</td>
                  <td>
                    <StatusBadge value={p.loadBalancer.health} />
                  </td>
                  <td>{p.weight}</td>
                  <td>{p.backup ? "Yes" : "No"}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      </div>
    </>
  );
}
