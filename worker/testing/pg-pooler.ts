// Test helper beside enrolledPair: a real PgBouncer in front of an enrolled pair's
// primary, registered in the same cluster as a connection pooler, with an enrolled
// agent (role pgbouncer) owning its ini file, as an admin would set one up; and
// clients writing through it.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { freePorts } from "@/lab/ports";
import { startPgbouncer, type PgbouncerHandle } from "@/lab/pgbouncer";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { systemActor } from "@/lib/common/actor";
import type { EnrolledPair } from "@/worker/testing/pg-cluster";
import type { WriteSample } from "@/worker/testing/app-nodes";

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

/**
 * `loops` clients, each with its own connection through the pooler (`url`),
 * INSERTing a unique payload back to back into `pooled_writes` (made if missing; not the demo app's `writes`);
 * remembers the acknowledged payloads and every query's outcome and latency,
 * shaped like app-nodes' writeLoop. A client whose connection fails opens a new one.
 */
export async function pooledWriteLoop(url: string, loops = 4) {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query("CREATE TABLE IF NOT EXISTS pooled_writes (id bigserial PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
  await setup.end();
  const acked: string[] = [];
  const samples: WriteSample[] = [];
  const errors: string[] = [];
  let stop = false;
  let n = 0;
  const loop = async (k: number) => {
    let client: pg.Client | null = null;
    while (!stop) {
      const payload = `p${k}-${n++}`;
      const at = performance.now();
      let ok = false;
      try {
        if (!client) {
          client = new pg.Client({ connectionString: url, query_timeout: 40_000 });
          client.on("error", () => {});
          await client.connect();
        }
        await client.query("INSERT INTO pooled_writes (payload) VALUES ($1)", [payload]);
        acked.push(payload);
        ok = true;
      } catch (error) {
        errors.push((error as Error).message);
        await client?.end().catch(() => {});
        client = null;
        await new Promise((r) => setTimeout(r, 5));
      }
      samples.push({ at, ms: performance.now() - at, ok });
    }
    await client?.end().catch(() => {});
  };
  const running = Promise.all(Array.from({ length: loops }, (_, k) => loop(k)));
  return {
    acked,
    samples,
    errors,
    async stop() {
      stop = true;
      await running;
    },
  };
}
