// Which configuration a target runs, and who runs a configuration. A scope is
// one stream of revisions: the app settings of a cluster, its PostgreSQL
// settings, or the HAProxy configuration of one load balancer.
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { notFound } from "@/lib/common/errors";
import type { ConfigKind } from "@/lib/agent-protocol/types";

export type TargetType = "NODE" | "LOAD_BALANCER" | "DATABASE";
export const targetTypeOf: Record<ConfigKind, TargetType> = { APP: "NODE", HAPROXY: "LOAD_BALANCER", POSTGRES: "DATABASE" };

export type Scope = { key: string; kind: ConfigKind; clusterId: string; loadBalancerId: string | null; name: string; clusterName: string };
export type ScopeTarget = { type: TargetType; id: string; name: string; agentUrl: string | null; enrolled: boolean };

const SCOPE = /^(app|postgres|haproxy)\.([a-z0-9]{10,40})$/;

export const scopeKey = (kind: ConfigKind, id: string) => `${kind.toLowerCase()}.${id}`;

/** Parses and resolves a scope key; 404 when what it names does not exist (or is not an HAProxy). */
export async function resolveScope(key: string, tx: Tx = db): Promise<Scope> {
  const m = SCOPE.exec(key);
  if (!m) throw notFound(`Configuration scope '${key}'`);
  const kind = m[1]!.toUpperCase() as ConfigKind;
  const id = m[2]!;
  if (kind === "HAPROXY") {
    const lb = await tx.loadBalancer.findUnique({
      where: { id },
      select: { id: true, name: true, kind: true, clusterId: true, cluster: { select: { name: true } } },
    });
    if (!lb || lb.kind !== "HAPROXY") throw notFound(`HAProxy load balancer '${id}'`);
    return { key, kind, clusterId: lb.clusterId, loadBalancerId: lb.id, name: `HAProxy of ${lb.name}`, clusterName: lb.cluster.name };
  }
  const cluster = await tx.cluster.findUnique({ where: { id }, select: { id: true, name: true } });
  if (!cluster) throw notFound(`Cluster '${id}'`);
  return {
    key,
    kind,
    clusterId: cluster.id,
    loadBalancerId: null,
    name: kind === "APP" ? "App node settings" : "PostgreSQL settings",
    clusterName: cluster.name,
  };
}

/** Every target that runs this scope's configuration, enrolled (agent + credential) or not. */
export async function scopeTargets(scope: Scope, tx: Tx = db): Promise<ScopeTarget[]> {
  const enrolled = { where: { revokedAt: null }, select: { id: true }, take: 1 } as const;
  if (scope.kind === "HAPROXY") {
    const lb = await tx.loadBalancer.findUniqueOrThrow({
      where: { id: scope.loadBalancerId! },
      select: { id: true, name: true, agentUrl: true, credentials: enrolled },
    });
    return [{ type: "LOAD_BALANCER", id: lb.id, name: lb.name, agentUrl: lb.agentUrl, enrolled: !!lb.agentUrl && lb.credentials.length > 0 }];
  }
  if (scope.kind === "APP") {
    const nodes = await tx.node.findMany({
      where: { clusterId: scope.clusterId },
      orderBy: { name: "asc" },
      select: { id: true, name: true, agentUrl: true, credentials: enrolled },
    });
    return nodes.map((n) => ({ type: "NODE", id: n.id, name: n.name, agentUrl: n.agentUrl, enrolled: !!n.agentUrl && n.credentials.length > 0 }));
  }
  const dbs = await tx.databaseInstance.findMany({
    where: { clusterId: scope.clusterId },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    select: { id: true, name: true, agentUrl: true, credentials: enrolled },
  });
  return dbs.map((d) => ({ type: "DATABASE", id: d.id, name: d.name, agentUrl: d.agentUrl, enrolled: !!d.agentUrl && d.credentials.length > 0 }));
}

/** All scopes, cluster by cluster: app and PostgreSQL settings, and each HAProxy. */
export async function allScopes(): Promise<Scope[]> {
  const clusters = await db.cluster.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, loadBalancers: { where: { kind: "HAPROXY" }, orderBy: { name: "asc" }, select: { id: true, name: true } } },
  });
  return clusters.flatMap((c) => [
    { key: scopeKey("APP", c.id), kind: "APP" as const, clusterId: c.id, loadBalancerId: null, name: "App node settings", clusterName: c.name },
    ...c.loadBalancers.map((lb) => ({
      key: scopeKey("HAPROXY", lb.id),
      kind: "HAPROXY" as const,
      clusterId: c.id,
      loadBalancerId: lb.id,
      name: `HAProxy of ${lb.name}`,
      clusterName: c.name,
    })),
    { key: scopeKey("POSTGRES", c.id), kind: "POSTGRES" as const, clusterId: c.id, loadBalancerId: null, name: "PostgreSQL settings", clusterName: c.name },
  ]);
}
