// Enrolment: the console issues each agent its own credential, shown once as
// a ready-to-use config snippet. Issuing again rotates it: the console signs
// with the new key at once, so the agent must be given the new snippet.
import "server-only";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { sessionSecret } from "@/lib/env";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { notFound, unprocessable } from "@/lib/common/errors";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { sealSecret, openSecret } from "@/lib/agents/secret-box";
import type { AgentSubject } from "@/lib/agents/schemas";

export type { AgentSubject };

type SubjectRow = { id: string; name: string; host: string; port: number; agentUrl: string | null; kind?: string };

const roleOf = { NODE: "app", LOAD_BALANCER: "haproxy", DATABASE: "postgres", POOLER: "pgbouncer" } as const;
const label = { NODE: "Node", LOAD_BALANCER: "Load balancer", DATABASE: "Database instance", POOLER: "Connection pooler" } as const;
const ownerColumn = { NODE: "nodeId", LOAD_BALANCER: "loadBalancerId", DATABASE: "databaseInstanceId", POOLER: "poolerId" } as const;

async function findSubject(tx: Tx, type: AgentSubject, id: string): Promise<SubjectRow | null> {
  const select = { id: true, name: true, host: true, port: true, agentUrl: true } as const;
  if (type === "NODE") return tx.node.findUnique({ where: { id }, select });
  if (type === "DATABASE") return tx.databaseInstance.findUnique({ where: { id }, select });
  if (type === "POOLER") return tx.pooler.findUnique({ where: { id }, select });
  return tx.loadBalancer.findUnique({ where: { id }, select: { ...select, kind: true } });
}

/**
 * The agent config a newly enrolled agent starts from; the role section is a template to adjust.
 * It holds no metricsToken on purpose, so the agent's /metrics starts closed: the console
 * never scrapes agents (it reads their stream), so it has no use for that token, and
 * issuing one here would rotate it with every key rotation and silently break the
 * Prometheus set up by the host's owner, who adds a token of their own when they scrape.
 */
export function agentConfigSnippet(type: AgentSubject, subject: SubjectRow, credential: { keyId: string; secret: string }) {
  const url = new URL(subject.agentUrl!);
  const base = {
    name: subject.name,
    role: roleOf[type],
    listen: { host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) },
    ...(url.protocol === "https:" ? { tls: { certFile: "/etc/clusterdeck-agent/tls.crt", keyFile: "/etc/clusterdeck-agent/tls.key" } } : {}),
    credentials: [credential],
    intervalMs: 1000,
  };
  const app = `http://${subject.host}:${subject.port}`;
  if (type === "NODE") {
    return {
      ...base,
      app: {
        healthUrl: `${app}/health`,
        statsUrl: `${app}/stats`,
        drainUrl: `${app}/admin/drain`,
        resumeUrl: `${app}/admin/resume`,
        endSessionsUrl: `${app}/admin/end-sessions`,
        settingsFile: "/etc/clusterdeck-app/settings.json",
        reloadUrl: `${app}/admin/reload`,
        backends: [],
        timeoutMs: 500,
      },
    };
  }
  if (type === "LOAD_BALANCER")
    return { ...base, haproxy: { socket: "/run/haproxy/admin.sock", configFile: "/etc/haproxy/haproxy.cfg", pidFile: "/run/haproxy/haproxy.pid" } };
  if (type === "POOLER") {
    // The admin console is the virtual "pgbouncer" database on the listener, as a user in
    // PgBouncer's admin_users; the agent owns the ini's [databases] targets (a switchover rewrites them).
    return {
      ...base,
      pgbouncer: { adminUrl: `postgresql://clusterdeck_agent@127.0.0.1:${subject.port}/pgbouncer`, configFile: "/etc/pgbouncer/pgbouncer.ini" },
    };
  }
  return { ...base, postgres: { url: `postgresql://clusterdeck_agent@127.0.0.1:${subject.port}/postgres` } };
}

export async function issueAgentCredential(type: AgentSubject, id: string, audit: AuditContext) {
  const { keyId, secret } = generateAgentSecret();
  return db.$transaction(async (tx) => {
    const subject = await findSubject(tx, type, id);
    if (!subject) throw notFound(label[type]);
    if (subject.kind === "HARDWARE") throw unprocessable("A hardware load balancer has no agent; it is probed instead");
    if (!subject.agentUrl) {
      throw unprocessable("Set the agent URL first: the credential is issued for the agent at that address", [{ path: "agentUrl", message: "No agent URL" }]);
    }
    const owner = { [ownerColumn[type]]: id };
    const previous = await tx.agentCredential.findMany({ where: { ...owner, revokedAt: null }, select: { keyId: true } });
    await tx.agentCredential.updateMany({ where: { ...owner, revokedAt: null }, data: { revokedAt: new Date() } });
    await tx.agentCredential.create({ data: { keyId, secretCiphertext: sealSecret(secret, sessionSecret()), ...owner } });
    await recordAudit(tx, audit, {
      action: previous.length ? "agent.credential.rotate" : "agent.credential.issue",
      targetType: type,
      targetId: id,
      summary: { keyId, replaced: previous.map((p) => p.keyId) },
    });
    return { keyId, secret, config: agentConfigSnippet(type, subject, { keyId, secret }) };
  });
}

export type AgentTarget = {
  subjectType: AgentSubject;
  id: string;
  name: string;
  clusterId: string;
  agentUrl: string;
  /** As last recorded, so a new leader does not announce every target again. */
  health: "UP" | "DEGRADED" | "UNREACHABLE" | "DOWN" | "UNKNOWN";
  /** The service's own address: probed when the agent is silent (worker/agent-silence.ts). */
  host: string;
  port: number;
  /** Databases: anything but NONE marks a former primary that must never take writes again. */
  fence?: "NONE" | "FENCED" | "NEEDS_REBUILD";
  /** Nodes: DRAINING, DRAINED or MAINTENANCE mean the app must refuse new sessions. */
  adminState?: string;
  keyId: string;
  secret: string;
};

const targetSelect = { id: true, name: true, clusterId: true, agentUrl: true, health: true, host: true, port: true } as const;

/**
 * Changes whenever the set of watched agents may have: a target added, edited
 * or removed (count and newest updatedAt), a credential issued or revoked.
 * One cheap query, so the worker can poll it and reload the full list (and
 * open 2,000 secrets) only when something moved.
 */
export async function agentTargetsFingerprint(): Promise<string> {
  const rows = await db.$queryRaw<{ fingerprint: string }[]>`
    SELECT concat_ws('|',
      (SELECT count(*) || ':' || coalesce(max("createdAt")::text, '') || ':' || coalesce(max("revokedAt")::text, '') FROM "AgentCredential"),
      (SELECT count(*) || ':' || coalesce(max("updatedAt")::text, '') FROM "Node"),
      (SELECT count(*) || ':' || coalesce(max("updatedAt")::text, '') FROM "LoadBalancer"),
      (SELECT count(*) || ':' || coalesce(max("updatedAt")::text, '') FROM "DatabaseInstance"),
      (SELECT count(*) || ':' || coalesce(max("updatedAt")::text, '') FROM "Pooler")
    ) AS fingerprint`;
  return rows[0]?.fingerprint ?? "";
}

/** How to reach and sign for one target's agent; null when it has no agent or no credential. */
export async function agentEndpointFor(
  type: AgentSubject,
  id: string,
  consoleSecret = sessionSecret(),
): Promise<{ agentUrl: string; keyId: string; secret: string } | null> {
  const row = await db.agentCredential.findFirst({
    where: { [ownerColumn[type]]: id, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: {
      keyId: true,
      secretCiphertext: true,
      node: { select: { agentUrl: true } },
      loadBalancer: { select: { agentUrl: true } },
      databaseInstance: { select: { agentUrl: true } },
      pooler: { select: { agentUrl: true } },
    },
  });
  const agentUrl = row?.node?.agentUrl ?? row?.loadBalancer?.agentUrl ?? row?.databaseInstance?.agentUrl ?? row?.pooler?.agentUrl;
  if (!row || !agentUrl) return null;
  return { agentUrl, keyId: row.keyId, secret: openSecret(row.secretCiphertext, consoleSecret) };
}

/** Everything the monitor must watch, with the secret to sign with. Server-side only. */
export async function loadAgentTargets(consoleSecret = sessionSecret()): Promise<AgentTarget[]> {
  const rows = await db.agentCredential.findMany({
    where: { revokedAt: null },
    select: {
      keyId: true,
      secretCiphertext: true,
      node: { select: { ...targetSelect, adminState: true } },
      loadBalancer: { select: targetSelect },
      databaseInstance: { select: { ...targetSelect, fence: true } },
      pooler: { select: targetSelect },
    },
  });
  const out: AgentTarget[] = [];
  for (const row of rows) {
    const [subjectType, subject] = row.node
      ? (["NODE", row.node] as const)
      : row.loadBalancer
        ? (["LOAD_BALANCER", row.loadBalancer] as const)
        : row.databaseInstance
          ? (["DATABASE", row.databaseInstance] as const)
          : row.pooler
            ? (["POOLER", row.pooler] as const)
            : ([null, null] as const);
    if (!subjectType || !subject.agentUrl) continue;
    out.push({
      subjectType,
      id: subject.id,
      name: subject.name,
      clusterId: subject.clusterId,
      agentUrl: subject.agentUrl,
      health: subject.health,
      host: subject.host,
      port: subject.port,
      ...("fence" in subject ? { fence: subject.fence } : {}),
      ...("adminState" in subject ? { adminState: subject.adminState } : {}),
      keyId: row.keyId,
      secret: openSecret(row.secretCiphertext, consoleSecret),
    });
  }
  return out;
}

export async function agentCredentialInfo(type: AgentSubject, id: string) {
  return db.agentCredential.findFirst({
    where: { [ownerColumn[type]]: id, revokedAt: null },
    select: { keyId: true, createdAt: true },
    orderBy: { createdAt: "desc" },
  });
}
