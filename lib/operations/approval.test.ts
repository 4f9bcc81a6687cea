// Protects: the two-person rule. When on, a forced drain waits in
// AWAITING_APPROVAL (nothing runs); the requester cannot approve it; a second
// operator can; cancelling one that waits is always possible. When off, the
// same request starts at once. Every step is audited.
import { beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor, type Actor } from "@/lib/common/actor";

setupTestDatabase();
const system = { actor: systemActor("test"), requestId: "approval-test", clientIp: null };
const as = (userId: string, role: "OPERATOR" | "ADMIN" | "VIEWER") => ({
  actor: { type: "USER", id: userId, userId, label: `${userId}@test`, role } as Actor,
  requestId: `req-${userId}`,
  clientIp: null,
});
let nodeId = "";

beforeAll(async () => {
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const cluster = await createCluster({ name: "two-person", description: "", environment: "production" }, system);
  const node = await createNode({ clusterId: cluster.id, name: "lonely", host: "10.9.0.1", port: 8080, weight: 100, capacity: 10, agentUrl: null }, system);
  nodeId = node.id;
});

const forcedDrain = {
  kind: "node.drain" as const,
  body: { reason: "kernel patch", deadlineSeconds: 60, escalation: "none" as const, force: true, forceReason: "the only node, we accept the outage" },
};

it("lets a forced drain wait for a second person when the rule is on", async () => {
  const { db } = await import("@/lib/db");
  const { setTwoPersonRule, approveOperation } = await import("@/lib/operations/approval");
  const { startNodeOperation } = await import("@/lib/operations/nodes");
  const { cancelOperation } = await import("@/lib/operations/service");
  await setTwoPersonRule(true, "incident policy", as("admin-1", "ADMIN"));

  const first = await startNodeOperation(nodeId, forcedDrain, as("alice", "OPERATOR"), null);
  expect((await db.operation.findUniqueOrThrow({ where: { id: first.id } })).state).toBe("AWAITING_APPROVAL");
  await expect(approveOperation(first.id, "me myself", as("alice", "OPERATOR"))).rejects.toMatchObject({ code: "forbidden" });
  await expect(approveOperation(first.id, "looks fine", as("vic", "VIEWER"))).rejects.toMatchObject({ code: "forbidden" });
  // While it waits, the node is still taken: a second request gets 409 naming it.
  await expect(startNodeOperation(nodeId, forcedDrain, as("carol", "OPERATOR"), null)).rejects.toMatchObject({
    code: "conflict",
    details: { operationId: first.id },
  });
  await approveOperation(first.id, "agreed on the bridge call", as("bob", "OPERATOR"));
  const approved = await db.operation.findUniqueOrThrow({ where: { id: first.id } });
  expect(approved.state).toBe("PENDING");
  expect((approved.steps as { step: string }[]).map((s) => s.step)).toEqual(["requested", "waiting for approval", "approved"]);
  expect(await db.auditEntry.findFirst({ where: { action: "node.drain.approve", targetId: first.id } })).toMatchObject({ actorLabel: "bob@test" });
  // (No worker runs in this test: end it so the node is free again.)
  await db.operation.update({ where: { id: first.id }, data: { state: "CANCELLED" } });

  const second = await startNodeOperation(nodeId, forcedDrain, as("alice", "OPERATOR"), null);
  await cancelOperation(second.id, "changed our mind", as("bob", "OPERATOR"));
  expect((await db.operation.findUniqueOrThrow({ where: { id: second.id } })).state).toBe("CANCELLED");

  await setTwoPersonRule(false, "back to normal", as("admin-1", "ADMIN"));
  const third = await startNodeOperation(nodeId, forcedDrain, as("alice", "OPERATOR"), null);
  expect((await db.operation.findUniqueOrThrow({ where: { id: third.id } })).state).toBe("PENDING");
});
