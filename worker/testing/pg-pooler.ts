// Test helper beside enrolledPair: a real PgBouncer in front of an enrolled pair's
// primary, registered in the same cluster as a connection pooler, with an enrolled
// agent (role pgbouncer) owning its ini file, as an admin would set one up.
import { freePorts } from "@/lab/ports";
import { startPgbouncer, type PgbouncerHandle } from "@/lab/pgbouncer";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { systemActor } from "@/lib/common/actor";
import type { EnrolledPair } from "@/worker/testing/pg-cluster";

export type EnrolledPooler = { bouncer: PgbouncerHandle; poolerId: string; agent: RunningAgent; stop(): Promise<void> };

const audit = { actor: systemActor("test"), requestId: "pg-pooler", clientIp: null };

/** PgBouncer (transaction mode) → the pair's primary; the pooler `name` in its cluster; its agent. */
export async function enrolledPooler(
  enrolled: Pick<EnrolledPair, "pair" | "clusterId">,
  opts: { name?: string; poolMode?: "transaction" | "session"; intervalMs?: number } = {},
): Promise<EnrolledPooler> {
  const { createPooler } = await import("@/lib/inventory/poolers");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const { pair } = enrolled;
  const bouncer = await startPgbouncer({
    target: { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl },
    poolMode: opts.poolMode,
  });
  try {
    const [agentPort] = await freePorts(1);
    const row = await createPooler(
      { clusterId: enrolled.clusterId, name: opts.name ?? "pgb-1", host: "127.0.0.1", port: bouncer.port, agentUrl: `http://127.0.0.1:${agentPort}` },
      audit,
    );
    const { config } = await issueAgentCredential("POOLER", row.id, audit);
    // The issued snippet names the usual places; the lab's bouncer has its own admin URL and ini.
    const agent = await startAgent(
      parseConfig({
        ...config,
        intervalMs: opts.intervalMs ?? 250,
        pgbouncer: { adminUrl: bouncer.adminUrl, configFile: bouncer.configFile, timeoutMs: 1000 },
      } as AgentConfigInput),
      { log: () => {} },
    );
    return {
      bouncer,
      poolerId: row.id,
      agent,
      async stop() {
        await agent.close();
        await bouncer.stop();
      },
    };
  } catch (error) {
    await bouncer.stop();
    throw error;
  }
}
