import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "@/lib/sign-in/session";
import { can } from "@/lib/auth/permissions";
import { isDomainError } from "@/lib/common/errors";
import { getScope } from "@/lib/config/targets";
import { scopeParams } from "@/lib/config/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { DataTable, rowHeader, actionsColumn, wrapCell } from "@/components/ui/table";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { Breadcrumbs } from "@/components/inventory/page-parts";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { Checksum } from "@/components/config/code-view";
import { DeployButton, DiffButton, RollbackButton } from "@/components/config/revision-actions";
import { CompareButton, ReconcileButton } from "@/components/config/target-actions";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ scope: string }>; searchParams: Promise<{ saved?: string }> };

const pathType = { NODE: "nodes", LOAD_BALANCER: "load-balancers", DATABASE: "databases" } as const;

async function load(scope: string, showSecrets: boolean) {
  if (!scopeParams.safeParse({ scope }).success) notFound();
  try {
    return await getScope(scope, showSecrets, { revisionsLimit: 50 });
  } catch (error) {
    if (isDomainError(error, "not_found")) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: Props) {
  await requirePage("config:read");
  const { scope } = await load((await params).scope, false);
  return { title: `${scope.name} · Configuration` };
}

export default async function ScopePage({ params, searchParams }: Props) {
  const actor = await requirePage("config:read");
  const canWrite = can(actor.role, "config:write");
  const data = await load((await params).scope, canWrite);
  const { scope, targets, revisions, deployments } = data;
  const latest = revisions[0];
  const saved = (await searchParams).saved;

  return (
    <>
      <Breadcrumbs items={[{ href: "/config", label: "Configuration" }, { label: `${scope.name} (${scope.clusterName})` }]} />
      <PageHeader
        title={scope.name}
        description={`Cluster ${scope.clusterName}. ${latest ? `Latest revision #${latest.number}.` : "No revision yet."}${canWrite ? "" : " Secrets are masked for your role."}`}
        actions={
          <>
            <LiveIndicator />
            {canWrite && (
              <Link className="btn btn-primary" href={`/config/${scope.key}/edit`}>
                New revision
              </Link>
            )}
          </>
        }
      />
      <div className="stack">
        {saved && (
          <div className="alert alert-ok" role="status">
            Revision {saved} saved. Nothing changes on any target until you deploy it.
          </div>
        )}
        <section className="stack" aria-labelledby="targets">
          <h2 id="targets" style={{ margin: 0 }}>
            Targets <span className="muted">({targets.length})</span>
          </h2>
          <DataTable
            label="Targets"
            columns={["Target", "Deployed revision", "Runs", "State", actionsColumn]}
            empty={targets.length === 0 && "No target in this cluster yet."}
          >
            {targets.map((t) => {
              const state = !t.enrolled
                ? "no agent"
                : t.appliedChecksum === null
                  ? "never deployed"
                  : t.driftSince
                    ? "DRIFT"
                    : t.reportedChecksum === t.appliedChecksum
                      ? "IN_SYNC"
                      : "reported checksum pending";
              return (
                <tr key={t.id} data-testid={`target-${t.name}`}>
                  <th scope="row" style={rowHeader}>
                    <Link href={`/${pathType[t.type]}/${t.id}`}>{t.name}</Link>
                  </th>
                  <td>{t.appliedRevision ? `#${t.appliedRevision}` : <span className="muted">—</span>}</td>
                  <td>
                    <Checksum value={t.reportedChecksum} />
                  </td>
                  <td>
                    {state === "DRIFT" || state === "IN_SYNC" ? <StatusBadge value={state} /> : <span className="muted">{state}</span>}
                    {t.driftSince && (
                      <span className="muted">
                        {" "}
                        since <Time value={t.driftSince} />
                      </span>
                    )}
                  </td>
                  <td>
                    <div className="row">
                      {t.enrolled && <CompareButton type={pathType[t.type]} id={t.id} name={t.name} />}
                      {canWrite && t.enrolled && t.appliedRevision && t.driftSince && <ReconcileButton type={pathType[t.type]} id={t.id} name={t.name} />}
                    </div>
                  </td>
                </tr>
              );
            })}
          </DataTable>
        </section>

        <section className="stack" aria-labelledby="revisions">
          <h2 id="revisions" style={{ margin: 0 }}>
            Revisions
          </h2>
          <DataTable
            label="Revisions"
            columns={["Revision", "Message", "Author", "Saved", "Checksum", actionsColumn]}
            empty={revisions.length === 0 && (canWrite ? "No revision yet: use New revision." : "No revision yet.")}
          >
            {revisions.map((r) => (
              <tr key={r.id} data-testid={`revision-${r.number}`}>
                <th scope="row" style={rowHeader}>
                  #{r.number}
                </th>
                <td style={wrapCell("14em")}>
                  {r.message}
                  {r.rollbackOf && <span className="muted"> (roll back)</span>}
                </td>
                <td>{r.author ?? <span className="muted">system</span>}</td>
                <td>
                  <Time value={r.createdAt} />
                </td>
                <td>
                  <Checksum value={r.checksum} />
                </td>
                <td>
                  <div className="row">
                    <DiffButton revision={{ id: r.id, number: r.number }} others={revisions.map((o) => ({ id: o.id, number: o.number }))} />
                    {canWrite && <DeployButton revision={{ id: r.id, number: r.number }} scopeName={scope.name} targets={targets} />}
                    {canWrite && r !== latest && <RollbackButton revision={{ id: r.id, number: r.number }} scopeKey={scope.key} />}
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
        </section>

        <section className="stack" aria-labelledby="deployments">
          <h2 id="deployments" style={{ margin: 0 }}>
            Recent deployments
          </h2>
          <DataTable label="Deployments" columns={["Deployment", "State", "Reason", "Started", "Ended"]} empty={deployments.length === 0 && "None yet."}>
            {deployments.map((d) => (
              <tr key={d.id}>
                <th scope="row" style={rowHeader}>
                  <Link href={`/operations/${d.id}`}>{d.params ? `Revision #${d.params.revisionNumber}` : "Deployment"}</Link>
                </th>
                <td>
                  <StatusBadge value={d.state} />
                </td>
                <td style={wrapCell("14em")}>{d.error ? `${d.reason} — ${d.error}` : d.reason}</td>
                <td>
                  <Time value={d.createdAt} />
                </td>
                <td>{d.finishedAt ? <Time value={d.finishedAt} /> : <span className="muted">running</span>}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      </div>
    </>
  );
}
