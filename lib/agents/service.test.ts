// Protects: an agent credential is issued only for an agent address, shown
// once, stored encrypted, replaced on rotation, and audited.
import { beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import { resetEnvCache } from "@/lib/env";
import { toJson } from "@/lib/http/json";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "enrol-test", clientIp: null };

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "test-console-secret-".padEnd(48, "x");
  resetEnvCache();
});

it("issues, rotates and hands the worker the current secret only", async () => {
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential, loadAgentTargets } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "enrol", description: "", environment: "production" }, audit);
  const bare = await createNode({ clusterId: cluster.id, name: "no-agent", host: "10.0.0.1", port: 8080, weight: 100, capacity: 10, agentUrl: null }, audit);
  await expect(issueAgentCredential("NODE", bare.id, audit)).rejects.toMatchObject({ code: "invalid" });
  const hw = await createLoadBalancer(
    { clusterId: cluster.id, name: "f5", kind: "HARDWARE", tier: "EDGE", host: "127.0.0.1", port: 443, agentUrl: null },
    audit,
  );
  await expect(issueAgentCredential("LOAD_BALANCER", hw.id, audit)).rejects.toMatchObject({ code: "invalid" });

  const node = await createNode(
    { clusterId: cluster.id, name: "app-1", host: "10.0.0.3", port: 8080, weight: 100, capacity: 10, agentUrl: "http://127.0.0.1:7101" },
    audit,
  );
  const first = await issueAgentCredential("NODE", node.id, audit);
  expect(first.config).toMatchObject({
    name: "app-1",
    role: "app",
    listen: { host: "127.0.0.1", port: 7101 },
    credentials: [{ keyId: first.keyId, secret: first.secret }],
  });
  const stored = await db.agentCredential.findFirstOrThrow({ where: { keyId: first.keyId }, select: { secretCiphertext: true } });
  expect(stored.secretCiphertext).not.toContain(first.secret);
  expect(toJson(await db.agentCredential.findMany())).not.toContain(first.secret);

  const second = await issueAgentCredential("NODE", node.id, audit);
  expect(second.keyId).not.toBe(first.keyId);
  const targets = (await loadAgentTargets()).filter((t) => t.id === node.id);
  expect(targets).toEqual([expect.objectContaining({ keyId: second.keyId, secret: second.secret, agentUrl: "http://127.0.0.1:7101", subjectType: "NODE" })]);

  const entries = await db.auditEntry.findMany({ where: { targetId: node.id, action: { startsWith: "agent." } }, orderBy: { id: "asc" } });
  expect(entries.map((e) => e.action)).toEqual(["agent.credential.issue", "agent.credential.rotate"]);
  expect(entries[1]!.summary).toEqual({ keyId: second.keyId, replaced: [first.keyId] });
  expect(toJson(entries)).not.toContain(second.secret);
});

it("fingerprints the watched set: moves on every change the worker must follow, not on heartbeats", async () => {
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode, deleteNode, updateNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential, agentTargetsFingerprint } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "fingerprint", description: "", environment: "production" }, audit);
  // The monitor compares with the fingerprint of its last load only (a row
  // added and removed between two polls may give back an older fingerprint;
  // the monitor never watched it, so that is right).
  let last = "";
  const changed = async () => {
    const fingerprint = await agentTargetsFingerprint();
    const moved = fingerprint !== last;
    last = fingerprint;
    return moved;
  };
  await changed();

  const node = await createNode(
    { clusterId: cluster.id, name: "fp-1", host: "10.0.0.9", port: 8080, weight: 100, capacity: 10, agentUrl: "http://127.0.0.1:7201" },
    audit,
  );
  expect(await changed()).toBe(true);
  await issueAgentCredential("NODE", node.id, audit);
  expect(await changed()).toBe(true);
  await issueAgentCredential("NODE", node.id, audit); // rotation
  expect(await changed()).toBe(true);
  await updateNode(node.id, { agentUrl: "http://127.0.0.1:7202" }, audit);
  expect(await changed()).toBe(true);

  // What the recorder writes every second must not trigger a reload.
  await db.$executeRaw`UPDATE "Node" SET "lastSeenAt" = now(), "activeSessions" = 3 WHERE "id" = ${node.id}`;
  expect(await changed()).toBe(false);

  await deleteNode(node.id, audit);
  expect(await changed()).toBe(true);
});
