// Test helpers for the database incident actions: a real primary/replica pair
// (lab) registered in the inventory with an enrolled agent beside each member.
import pg from "pg";
import { waitFor } from "@/agent/testing/client";
import { systemActor } from "@/lib/common/actor";
import { freePorts } from "@/lab/ports";
import path from "node:path";
import { DEFAULT_PG_BIN_DIR, startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";

export type EnrolledPair = { pair: PostgresPairHandle; clusterId: string; primaryId: string; replicaId: string; agents: RunningAgent[]; stop(): Promise<void> };

const audit = { actor: systemActor("test"), requestId: "pg-cluster", clientIp: null };

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
  const { createDatabase } = await import("@/lib/inventory/databases");
  const { issueAgentCredential } = await import("@/lib/agents/service");
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
    const row = await createDatabase(
      { clusterId: cluster.id, name: member, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${port}` },
      audit,
    );
    ids.push(row.id);
    const { config } = await issueAgentCredential("DATABASE", row.id, audit);
    // With control, the agent may stop, rewind and start its server (fence with stop, rebuild).
    const stop = opts.control ? { stop: { pgCtl: path.join(DEFAULT_PG_BIN_DIR, "pg_ctl"), dataDir: server.dataDir, runAs: "postgres" } } : {};
    agents.push(
      await startAgent(parseConfig({ ...config, intervalMs: opts.intervalMs ?? 250, postgres: { url, timeoutMs: 1000, ...stop } } as AgentConfigInput), {
        log: () => {},
      }),
    );
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
