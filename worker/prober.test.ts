// Protects: a hardware load balancer (no agent) is watched by a TCP probe:
// UP while its port answers, DOWN with the reason once it stops, UP again
// when it returns — as events, like any agent-watched target.
import net from "node:net";
import { afterAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { waitFor } from "@/agent/testing/client";
import { systemActor } from "@/lib/common/actor";
import { freePort } from "@/lab/ports";
import type { Prober } from "@/worker/prober";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "prober-test", clientIp: null };
let prober: Prober | undefined;
afterAll(() => prober?.stop());

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000) => waitFor(what, fn, timeoutMs, 25);

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.end());
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

it("probes a hardware load balancer's port and turns what it sees into events", async () => {
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
  const { Recorder } = await import("@/worker/recorder");
  const { Prober } = await import("@/worker/prober");
  const port = await freePort();
  let server = await listen(port);
  const cluster = await createCluster({ name: "edge", description: "", environment: "production" }, audit);
  const lb = await createLoadBalancer({ clusterId: cluster.id, name: "f5-1", kind: "HARDWARE", tier: "EDGE", host: "127.0.0.1", port, agentUrl: null }, audit);

  const recorder = new Recorder(db);
  prober = new Prober(db, recorder, { everyMs: 100, timeoutMs: 300, refreshMs: 1000 });
  await prober.start();
  await until("UP", async () => (await db.loadBalancer.findUniqueOrThrow({ where: { id: lb.id } })).health === "UP");

  const since = new Date();
  await new Promise((r) => server.close(r));
  const down = await until("health.down", () => db.event.findFirst({ where: { subjectId: lb.id, kind: "health.down", at: { gte: since } } }));
  expect(down.message).toBe(`f5-1 is down: probe 127.0.0.1:${port}: connection refused`);

  server = await listen(port);
  await until("health.recovered", () => db.event.findFirst({ where: { subjectId: lb.id, kind: "health.recovered", at: { gte: since } } }));
  await recorder.flush();
  expect((await db.loadBalancer.findUniqueOrThrow({ where: { id: lb.id } })).lastSeenAt).not.toBeNull();
  await new Promise((r) => server.close(r));
});

it("probes agentless nodes and databases too, but not targets waiting for enrolment", async () => {
  const { db } = await import("@/lib/db");
  const { loadProbeTargets } = await import("@/worker/prober");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { createDatabase } = await import("@/lib/inventory/databases");
  const cluster = await createCluster({ name: "mixed", description: "", environment: "production" }, audit);
  await createNode({ clusterId: cluster.id, name: "bare", host: "127.0.0.1", port: 9100, weight: 100, capacity: 10, agentUrl: null }, audit);
  await createNode(
    { clusterId: cluster.id, name: "pending", host: "127.0.0.1", port: 9101, weight: 100, capacity: 10, agentUrl: "http://127.0.0.1:7100" },
    audit,
  );
  await createDatabase({ clusterId: cluster.id, name: "db", engine: "POSTGRESQL", host: "127.0.0.1", port: 9102, role: "PRIMARY", agentUrl: null }, audit);
  const names = (await loadProbeTargets(db)).filter((t) => t.clusterId === cluster.id).map((t) => `${t.subjectType}:${t.name}`);
  expect(names.sort()).toEqual(["DATABASE:db", "NODE:bare"]);
});
