// What needs attention, for the dashboard (every cluster) and a cluster's page:
// each subject that is not UP or not in service, each operation running or
// waiting, configuration drift, missing N+1 capacity, a database without a
// healthy streaming replica, paused automatic failover. Each item by name, with
// a link, its reason in words and since when, worst first, then oldest.
//
// Health values are not listed here: whatever the recorder stores that is not
// UP is an item, named by its value, so a new state needs no change here.
import "server-only";
import { db } from "@/lib/db";
import { notFound } from "@/lib/common/errors";
import { operationSubjects, operationTitle } from "@/lib/operations/subjects";
import { drainImpact } from "@/lib/operations/nodes";
import { maskText } from "@/lib/agent-protocol/mask";
import { toJson } from "@/lib/http/json";
import type { AttentionSeverity, AttentionWire } from "@/lib/attention/schemas";

/** An item as the server builds it: its start a Date (the answer writes it as a string). */
export type AttentionItem = Omit<AttentionWire["items"][number], "since"> & { since: Date | null };
export type Attention = Omit<AttentionWire, "items"> & { items: AttentionItem[] };

/** Items sent at most; `total` still counts every one (a fleet that never reported is 2,000 of them). */
export const ATTENTION_MAX = 100;

const rank: Record<AttentionSeverity, number> = { CRITICAL: 0, WARNING: 1, INFO: 2 };
const hrefOf = { NODE: "/nodes", LOAD_BALANCER: "/load-balancers", DATABASE: "/databases", POOLER: "/poolers" } as const;
type SubjectType = keyof typeof hrefOf;

/** What a state means, for a subject whose recorder kept no reason. Unknown values read as themselves. */
const healthMeaning: Partial<Record<string, string>> = {
  DOWN: "not answering",
  DEGRADED: "answering, with problems",
  UNKNOWN: "nothing has reported on it yet (no agent or probe has answered)",
};
const adminMeaning: Partial<Record<string, string>> = {
  DRAINING: "draining: takes no new sessions while its sessions end",
  DRAINED: "drained: takes no traffic",
  MAINTENANCE: "in maintenance: out of service",
};
const fenceMeaning: Partial<Record<string, string>> = {
  FENCED: "former primary, fenced and stopped in order: it can rejoin as a replica",
  NEEDS_REBUILD: "former primary that may hold writes the new primary lacks: rebuild it",
};
const words = (value: string) => value.toLowerCase().replaceAll("_", " ");

export async function needsAttention(clusterId?: string): Promise<Attention> {
  if (clusterId && !(await db.cluster.findUnique({ where: { id: clusterId }, select: { id: true } }))) throw notFound("Cluster");
  const lists = await Promise.all([
    subjects(clusterId),
    operations(clusterId),
    drift(clusterId),
    capacity(clusterId),
    replicas(clusterId),
    failoverPaused(clusterId),
  ]);
  const items = lists.flat().sort(worstThenOldest);
  const ops = items.filter((i) => i.subjectType === "OPERATION");
  return {
    items: items.slice(0, ATTENTION_MAX),
    total: items.length,
    operations: {
      running: ops.filter((o) => o.state !== "AWAITING_APPROVAL").length,
      awaitingApproval: ops.filter((o) => o.state === "AWAITING_APPROVAL").length,
    },
  };
}

/** The same, in the answer's wire form: what a page hands its client island as the first data. */
export async function needsAttentionWire(clusterId?: string): Promise<AttentionWire> {
  return JSON.parse(toJson(await needsAttention(clusterId))) as AttentionWire;
}

function worstThenOldest(a: AttentionItem, b: AttentionItem): number {
  if (a.severity !== b.severity) return rank[a.severity] - rank[b.severity];
  // No known start sorts after those with one: it is at least as new as "now".
  const at = (x: AttentionItem) => (x.since ? x.since.getTime() : Number.POSITIVE_INFINITY);
  return at(a) - at(b) || a.name.localeCompare(b.name);
}

type SubjectRow = {
  type: SubjectType;
  id: string;
  name: string;
  clusterId: string;
  clusterName: string;
  health: string;
  adminState: string | null;
  fence: string | null;
  replicationState: string | null;
  updatedAt: Date;
  createdAt: Date;
  healthAt: Date | null;
  reasons: unknown;
  opReason: string | null;
  opAt: Date | null;
  maintenanceReason: string | null;
};

/**
 * Every subject not UP or not in service, in one statement: a healthy fleet is
 * a few rows back whatever its size. A health item's reason and start are the
 * last health event the recorder wrote for it; a node's admin state, the last
 * drain or maintenance that put it there.
 */
async function subjects(clusterId: string | undefined): Promise<AttentionItem[]> {
  const rows = await db.$queryRaw<SubjectRow[]>`
    WITH s AS (
      SELECT 'NODE' AS type, n."id", n."name", n."clusterId", n."health"::text AS health, n."adminState"::text AS "adminState",
             NULL::text AS fence, NULL::text AS "replicationState", n."maintenanceReason", n."updatedAt", n."createdAt"
      FROM "Node" n WHERE n."health" <> 'UP' OR n."adminState" <> 'ACTIVE'
      UNION ALL
      SELECT 'LOAD_BALANCER', l."id", l."name", l."clusterId", l."health"::text, NULL, NULL, NULL, NULL, l."updatedAt", l."createdAt"
      FROM "LoadBalancer" l WHERE l."health" <> 'UP'
      UNION ALL
      SELECT 'DATABASE', d."id", d."name", d."clusterId", d."health"::text, NULL, d."fence"::text,
             CASE WHEN d."role" = 'REPLICA' THEN d."replicationState"::text END, NULL, d."updatedAt", d."createdAt"
      FROM "DatabaseInstance" d WHERE d."health" <> 'UP' OR d."fence" <> 'NONE' OR (d."role" = 'REPLICA' AND d."replicationState" = 'STOPPED')
      UNION ALL
      SELECT 'POOLER', p."id", p."name", p."clusterId", p."health"::text, NULL, NULL, NULL, NULL, p."updatedAt", p."createdAt"
      FROM "Pooler" p WHERE p."health" <> 'UP'
    )
    SELECT s.*, c."name" AS "clusterName", h."at" AS "healthAt", h."data"->'reasons' AS reasons, o."reason" AS "opReason", o."createdAt" AS "opAt"
    FROM s
    JOIN "Cluster" c ON c."id" = s."clusterId"
    LEFT JOIN LATERAL (
      SELECT e."at", e."data" FROM "Event" e
      WHERE e."subjectType" = s.type::"SubjectType" AND e."subjectId" = s."id" AND e."kind" LIKE 'health.%'
      ORDER BY e."at" DESC LIMIT 1
    ) h ON s.health <> 'UP'
    LEFT JOIN LATERAL (
      SELECT x."reason", x."createdAt" FROM "Operation" x
      WHERE x."subjectType" = 'NODE' AND x."subjectId" = s."id" AND x."kind" IN ('node.drain', 'node.maintenance')
      ORDER BY x."createdAt" DESC LIMIT 1
    ) o ON s."adminState" IS NOT NULL AND s."adminState" <> 'ACTIVE'
    WHERE ${clusterId ?? null}::text IS NULL OR s."clusterId" = ${clusterId ?? null}::text`;
  const items: AttentionItem[] = [];
  for (const r of rows) {
    const base = { subjectType: r.type, subjectId: r.id, name: r.name, clusterId: r.clusterId, clusterName: r.clusterName, href: `${hrefOf[r.type]}/${r.id}` };
    if (r.health !== "UP") {
      const reasons = Array.isArray(r.reasons) ? r.reasons.filter((x): x is string => typeof x === "string") : [];
      items.push({
        ...base,
        key: `health:${r.type}:${r.id}`,
        severity: r.health === "DOWN" ? "CRITICAL" : "WARNING",
        state: r.health,
        // Reasons quote agents' answers: masked like any text a viewer reads.
        reason: reasons.length ? maskText(reasons.join("; ")) : (healthMeaning[r.health] ?? `health is ${words(r.health)}`),
        since: r.healthAt ?? r.createdAt,
      });
    }
    if (r.adminState && r.adminState !== "ACTIVE") {
      const why = r.adminState === "MAINTENANCE" ? r.maintenanceReason || r.opReason : r.opReason;
      items.push({
        ...base,
        key: `admin:${r.type}:${r.id}`,
        severity: "INFO",
        state: r.adminState,
        reason: `${adminMeaning[r.adminState] ?? words(r.adminState)}${why ? ` (${maskText(why)})` : ""}`,
        since: r.opAt ?? r.updatedAt,
      });
    }
    if (r.fence && r.fence !== "NONE") {
      items.push({
        ...base,
        key: `fence:${r.type}:${r.id}`,
        severity: "WARNING",
        state: r.fence,
        reason: fenceMeaning[r.fence] ?? words(r.fence),
        // The row's last change: the fence is set by the promotion and nothing else writes a fenced member meanwhile but health.
        since: r.updatedAt,
      });
    } else if (r.replicationState === "STOPPED") {
      items.push({
        ...base,
        key: `replication:${r.type}:${r.id}`,
        severity: "WARNING",
        state: "STOPPED",
        reason: "replica not streaming from the primary",
        since: r.updatedAt,
      });
    }
  }
  return items;
}

/** Running, queued and awaiting-approval operations, with the cluster each belongs to. */
async function operations(clusterId: string | undefined): Promise<AttentionItem[]> {
  const ops = await db.operation.findMany({
    where: { state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
    select: { id: true, kind: true, state: true, subjectType: true, subjectId: true, currentStep: true, createdAt: true, startedAt: true },
  });
  const owner = await operationSubjects(ops);
  const items: AttentionItem[] = [];
  for (const o of ops) {
    const subject = owner.get(o.subjectId);
    if (clusterId && subject?.clusterId !== clusterId) continue;
    const waiting = o.state === "AWAITING_APPROVAL";
    items.push({
      key: `operation:${o.id}`,
      severity: waiting ? "WARNING" : "INFO",
      subjectType: "OPERATION",
      subjectId: o.id,
      name: operationTitle(o, subject),
      clusterId: subject?.clusterId ?? null,
      clusterName: subject?.clusterName ?? null,
      href: `/operations/${o.id}`,
      state: o.state,
      reason: waiting
        ? "waits for a second operator's approval (two-person rule)"
        : o.state === "PENDING"
          ? "queued for the worker"
          : `running${o.currentStep ? `: ${maskText(o.currentStep)}` : ""}`,
      since: o.startedAt ?? o.createdAt,
    });
  }
  return items;
}

/** Targets whose agent runs another configuration than the one deployed (the recorder sets driftSince). */
async function drift(clusterId: string | undefined): Promise<AttentionItem[]> {
  const rows = await db.configTargetState.findMany({
    where: { driftSince: { not: null } },
    select: { targetType: true, targetId: true, scope: true, driftSince: true },
  });
  if (!rows.length) return [];
  const ids = rows.map((r) => r.targetId);
  const where = { id: { in: ids }, ...(clusterId ? { clusterId } : {}) };
  const select = { id: true, name: true, clusterId: true, cluster: { select: { name: true } } } as const;
  const [nodes, lbs, dbs] = await Promise.all([
    db.node.findMany({ where, select }),
    db.loadBalancer.findMany({ where, select }),
    db.databaseInstance.findMany({ where, select }),
  ]);
  const named = new Map([...nodes, ...lbs, ...dbs].map((x) => [x.id, x]));
  return rows.flatMap((r) => {
    const t = named.get(r.targetId);
    if (!t) return [];
    return [
      {
        key: `drift:${r.targetType}:${r.targetId}`,
        severity: "WARNING" as const,
        subjectType: r.targetType as SubjectType,
        subjectId: r.targetId,
        name: t.name,
        clusterId: t.clusterId,
        clusterName: t.cluster.name,
        href: `/config/${r.scope}`,
        state: "DRIFT",
        reason: "runs a configuration the console did not deploy: reconcile to put it back",
        since: r.driftSince,
      },
    ];
  });
}

/**
 * N+1: if each cluster's largest node in service failed, would the others carry
 * its sessions? The same check a drain of that node makes (drainImpact).
 */
async function capacity(clusterId: string | undefined): Promise<AttentionItem[]> {
  const clusters = await db.$queryRaw<{ clusterId: string; clusterName: string; largest: string | null }[]>`
    SELECT c."id" AS "clusterId", c."name" AS "clusterName",
      (SELECT n."id" FROM "Node" n WHERE n."clusterId" = c."id" AND n."adminState" = 'ACTIVE' AND n."health" IN ('UP', 'DEGRADED')
       ORDER BY n."capacity" DESC, n."id" LIMIT 1) AS largest
    FROM "Cluster" c
    WHERE EXISTS (SELECT 1 FROM "Node" n WHERE n."clusterId" = c."id") AND (${clusterId ?? null}::text IS NULL OR c."id" = ${clusterId ?? null}::text)`;
  const items: AttentionItem[] = [];
  for (const c of clusters) {
    const base = { subjectType: "CLUSTER" as const, subjectId: c.clusterId, name: c.clusterName, clusterId: c.clusterId, clusterName: c.clusterName };
    const href = `/clusters/${c.clusterId}#cluster-nodes`;
    if (!c.largest) {
      items.push({ ...base, key: `capacity:${c.clusterId}`, severity: "CRITICAL", href, state: "DOWN", reason: "no app node in service", since: null });
      continue;
    }
    const impact = await drainImpact(c.largest);
    if (impact.canCarry) continue;
    items.push({
      ...base,
      key: `capacity:${c.clusterId}`,
      severity: "WARNING",
      href,
      state: "AT_RISK",
      reason: `N+1 not met: if ${impact.node.name}, its largest node in service, failed, ${impact.why}`,
      // Sessions move every second; the console keeps no start for a shortfall.
      since: null,
    });
  }
  return items;
}

/** Clusters whose database has no replica that is UP, streaming and in service: a failover has nowhere to go. */
async function replicas(clusterId: string | undefined): Promise<AttentionItem[]> {
  const rows = await db.cluster.findMany({
    where: {
      ...(clusterId ? { id: clusterId } : {}),
      databases: { some: {}, none: { role: "REPLICA", health: "UP", replicationState: "STREAMING", fence: "NONE" } },
    },
    select: { id: true, name: true },
  });
  return rows.map((c) => ({
    key: `replica:${c.id}`,
    severity: "CRITICAL" as const,
    subjectType: "CLUSTER" as const,
    subjectId: c.id,
    name: c.name,
    clusterId: c.id,
    clusterName: c.name,
    href: `/clusters/${c.id}#cluster-dbs`,
    state: "AT_RISK",
    reason: "the database has no healthy streaming replica: a failure of the primary loses it",
    since: null,
  }));
}

/** Automatic failover configured but paused by an operator; since the audited change that paused it. */
async function failoverPaused(clusterId: string | undefined): Promise<AttentionItem[]> {
  const rows = await db.cluster.findMany({
    where: { autoFailover: true, autoFailoverPaused: true, ...(clusterId ? { id: clusterId } : {}) },
    select: { id: true, name: true, updatedAt: true },
  });
  return Promise.all(
    rows.map(async (c) => {
      const paused = await db.auditEntry.findFirst({
        where: { action: "cluster.auto-failover", targetType: "CLUSTER", targetId: c.id, outcome: "SUCCESS" },
        orderBy: { at: "desc" },
        select: { at: true, reason: true },
      });
      return {
        key: `failover:${c.id}`,
        severity: "WARNING" as const,
        subjectType: "CLUSTER" as const,
        subjectId: c.id,
        name: c.name,
        clusterId: c.id,
        clusterName: c.name,
        href: `/clusters/${c.id}`,
        state: "PAUSED",
        reason: `automatic failover is paused${paused?.reason ? ` (${maskText(paused.reason)})` : ""}`,
        since: paused?.at ?? c.updatedAt,
      };
    }),
  );
}
