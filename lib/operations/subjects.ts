// What an operation is about, by name and cluster, for lists (needs attention,
// the operations list): its subject is a node, a database, a cluster, or a
// configuration scope ("app.<cluster>", "postgres.<cluster>", "haproxy.<load
// balancer>"). Read for a whole list at once: one query per subject table.
import "server-only";
import { db } from "@/lib/db";
import { isOperationKind, operationKinds } from "@/lib/operations/kinds";

export type OperationSubject = { name: string; clusterId: string; clusterName: string };
type Op = { kind: string; subjectType: string; subjectId: string };

export async function operationSubjects(ops: Op[]): Promise<Map<string, OperationSubject>> {
  const owner = new Map<string, OperationSubject>();
  if (!ops.length) return owner;
  const ids = (type: string) => ops.filter((o) => o.subjectType === type).map((o) => o.subjectId);
  const scopes = ops.filter((o) => o.subjectType === "CONFIG").map((o) => o.subjectId.split("."));
  const cluster = { select: { name: true } } as const;
  const [nodes, dbs, lbs, clusters] = await Promise.all([
    db.node.findMany({ where: { id: { in: ids("NODE") } }, select: { id: true, name: true, clusterId: true, cluster } }),
    db.databaseInstance.findMany({ where: { id: { in: ids("DATABASE") } }, select: { id: true, name: true, clusterId: true, cluster } }),
    db.loadBalancer.findMany({
      where: { id: { in: scopes.filter(([k]) => k === "haproxy").map(([, id]) => id ?? "") } },
      select: { id: true, name: true, clusterId: true, cluster },
    }),
    db.cluster.findMany({
      where: { id: { in: [...ids("CLUSTER"), ...scopes.filter(([k]) => k !== "haproxy").map(([, id]) => id ?? "")] } },
      select: { id: true, name: true },
    }),
  ]);
  for (const x of [...nodes, ...dbs]) owner.set(x.id, { name: x.name, clusterId: x.clusterId, clusterName: x.cluster.name });
  for (const c of clusters) owner.set(c.id, { name: c.name, clusterId: c.id, clusterName: c.name });
  for (const l of lbs) owner.set(`haproxy.${l.id}`, { name: `HAProxy of ${l.name}`, clusterId: l.clusterId, clusterName: l.cluster.name });
  for (const [kind, id] of scopes) {
    const c = kind === "haproxy" ? undefined : clusters.find((x) => x.id === id);
    if (c)
      owner.set(`${kind}.${id}`, { name: `${kind === "app" ? "app settings" : "PostgreSQL settings"} of ${c.name}`, clusterId: c.id, clusterName: c.name });
  }
  return owner;
}

/** "Drain of app-2": the kind's label and the subject's name (its id when it is gone). */
export function operationTitle(op: Op, subject: OperationSubject | undefined): string {
  const label = isOperationKind(op.kind) ? operationKinds[op.kind].label : op.kind;
  return `${label} of ${subject?.name ?? op.subjectId}`;
}
