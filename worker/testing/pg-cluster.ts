// Test helpers for the database incident actions: a real primary/replica pair
// (lab) registered in the inventory with an enrolled agent beside each member.
import pg from "pg";
import { waitFor } from "@/agent/testing/client";
import { systemActor } from "@/lib/common/actor";
import { freePorts } from "@/lab/ports";
import path from "node:path";
import { DEFAULT_PG_BIN_DIR, startPostgresPair, type PostgresPairHandle, type PostgresServerHandle } from "@/lab/postgres";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";

export type EnrolledPair = { pair: PostgresPairHandle; clusterId: string; primaryId: string; replicaId: string; agents: RunningAgent[]; stop(): Promise<void> };

const audit = { actor: systemActor("test"), requestId: "pg-cluster", clientIp: null };

type MemberOptions = { control?: boolean; intervalMs?: number };

/** One member in the cluster's inventory with an enrolled agent beside its server. */
async function enrollMember(
  clusterId: string,
  name: string,
  role: "PRIMARY" | "REPLICA",
  server: PostgresServerHandle,
  url: string,
  port: number,
  opts: MemberOptions,
): Promise<{ id: string; agent: RunningAgent }> {
  const { createDatabase } = await import("@/lib/inventory/databases");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const row = await createDatabase(
    { clusterId, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${port}` },
    audit,
  );
  const { config } = await issueAgentCredential("DATABASE", row.id, audit);
  // With control, the agent may stop, rewind and start its server (fence with stop, rebuild).
  const stop = opts.control ? { stop: { pgCtl: path.join(DEFAULT_PG_BIN_DIR, "pg_ctl"), dataDir: server.dataDir, runAs: "postgres" } } : {};
  const agent = await startAgent(
    parseConfig({ ...config, intervalMs: opts.intervalMs ?? 250, postgres: { url, timeoutMs: 1000, ...stop } } as AgentConfigInput),
    {
      log: () => {},
    },
  );
  return { id: row.id, agent };
}

/** A fresh pair, a cluster named `name` holding it (pg-a primary, pg-b replica), and their agents. */
export async function enrolledPair(
  name: string,
  opts: {
    synchronous?: boolean;
    control?: boolean;
    /** The agents' snapshot interval (fast for tests; production's 1000 for benchmarks). */
    intervalMs?: number;
  } = {},
): Promise<EnrolledPair> {
  const { createCluster } = await import("@/lib/inventory/clusters");
  // The replica streams under its inventory name from the start, as it does after a rejoin (synchronous_standby_names names it so).
  const pair = await startPostgresPair({ synchronous: opts.synchronous, replicaName: "pg-b" });
  const cluster = await createCluster({ name, description: "", environment: "production" }, audit);
  const ports = await freePorts(2);
  const ids: string[] = [];
  const agents: RunningAgent[] = [];
  for (const [member, role, server, url, port] of [
    ["pg-a", "PRIMARY", pair.primary, pair.primaryUrl, ports[0]!],
    ["pg-b", "REPLICA", pair.replica, pair.replicaUrl, ports[1]!],
  ] as const) {
    const { id, agent } = await enrollMember(cluster.id, member, role, server, url, port, opts);
    ids.push(id);
    agents.push(agent);
  }
  return {
    pair,
    clusterId: cluster.id,
    primaryId: ids[0]!,
    replicaId: ids[1]!,
    agents,
    async stop() {
      for (const a of agents) await a.close();
      await pair.stop();
    },
  };
}

/** A third member: one more replica of the pair's primary streaming under `name`, enrolled with its agent (stopped with the pair). */
export async function addEnrolledReplica(enrolled: EnrolledPair, name: string, opts: MemberOptions = {}) {
  const server = await enrolled.pair.addReplica(name);
  const [port] = await freePorts(1);
  const { id, agent } = await enrollMember(enrolled.clusterId, name, "REPLICA", server, server.url, port!, opts);
  enrolled.agents.push(agent);
  return { id, server };
}

/** Whether the server at url takes a write now (a fenced or read-only one does not). */
export async function takesWrites(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("CREATE TABLE IF NOT EXISTS write_probe (id int)");
    await c.query("INSERT INTO write_probe VALUES (1)");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export type OperationStep = { step: string; detail?: string };

/** A planned promotion of `candidateId` queued as the API would, awaited to its end (steps typed). */
export async function promoteAndWait(clusterId: string, candidateId: string, expectedPrimaryId: string, reason = "planned switchover") {
  const { db } = await import("@/lib/db");
  const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
  const check = await promotionCheck(clusterId);
  const op = await startPromotion(clusterId, { candidateId, expectedPrimaryId, generation: check.cluster.generation, reason, force: false }, audit, null);
  return waitFor(
    `promotion ${op.id}`,
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? { ...o, steps: o.steps as OperationStep[] } : null;
    },
    120_000,
    100,
  );
}
