// Protects: the answers of the operations routes no other spec reaches with a
// success (the suite checks every answer against its route's response
// schema): the two-person rule read and turned on and off; a forced drain
// waiting for approval, cancelled, then approved by a second person and run;
// maintenance and resume; a cluster's automatic failover turned on, paused
// and off; the operations list. On a cluster of its own with one agentless
// node, so the demo's nodes are left alone.
import { expect, request, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { E2E, storageState } from "../env";
import { apiAs, uniqueName } from "../helpers";

test.describe.configure({ mode: "serial", timeout: 120_000 });

async function json<T>(res: APIResponse, status = 200): Promise<T> {
  expect(res.status(), await res.text()).toBe(status);
  return (await res.json()) as T;
}

type Operation = {
  id: string;
  kind: string;
  state: string;
  subjectType: string;
  subjectId: string;
  reason: string;
  params: Record<string, unknown> | null;
  progress: Record<string, unknown> | null;
  steps: { at: string; step: string; detail?: string }[];
  requestedById: string | null;
  deployments: unknown[];
};

async function finished(api: APIRequestContext, id: string): Promise<Operation> {
  let op: Operation | undefined;
  await expect
    .poll(
      async () => {
        op = await json<Operation>(await api.get(`/api/v1/operations/${id}`));
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(op.state);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return op!;
}

test("the two-person rule, a drain held for approval, maintenance, resume and failover settings answer as documented", async () => {
  const admin = await apiAs("ADMIN");
  const operator = await apiAs("OPERATOR");
  // Every token is its admin's; the second person is the operator, signed in through the browser.
  const operatorSession = await request.newContext({
    baseURL: E2E.baseURL,
    storageState: storageState("OPERATOR"),
    extraHTTPHeaders: { origin: E2E.baseURL },
  });
  const cluster = await json<{ id: string; name: string }>(await admin.post("/api/v1/clusters", { data: { name: uniqueName("ops-answers") } }), 201);
  const node = await json<{ id: string; name: string }>(
    await admin.post("/api/v1/nodes", { data: { clusterId: cluster.id, name: uniqueName("lone"), host: "10.99.0.1", port: 8080, capacity: 100 } }),
    201,
  );
  const before = await json<{ twoPersonRule: boolean }>(await operator.get("/api/v1/settings/two-person-rule"));
  expect(before).toEqual({ twoPersonRule: false });

  try {
    expect(await json(await admin.post("/api/v1/settings/two-person-rule", { data: { enabled: true, reason: "e2e: answers of held operations" } }))).toEqual({
      twoPersonRule: true,
    });
    expect(await json(await operator.get("/api/v1/settings/two-person-rule"))).toEqual({ twoPersonRule: true });

    // Alone in its cluster: nothing could carry its load.
    const impact = await json<Record<string, unknown>>(await operator.get(`/api/v1/nodes/${node.id}/drain-impact`));
    expect(impact).toMatchObject({
      canCarry: false,
      remainingNodes: 0,
      remainingCapacity: 0,
      utilisationAfter: -1,
      node: { id: node.id, adminState: "ACTIVE" },
    });

    const forced = { reason: "e2e: forced drain", deadlineSeconds: 30, escalation: "none", force: true, forceReason: "e2e: nothing else can carry it" };
    const held = await json<Operation>(await operator.post(`/api/v1/nodes/${node.id}/drain`, { data: forced }), 202);
    expect(held).toMatchObject({ kind: "node.drain", state: "AWAITING_APPROVAL", subjectType: "NODE", subjectId: node.id, deployments: [] });
    // Params as this release reads them, with their version; progress with its defaults.
    expect(held.params).toMatchObject({ v: 1, nodeName: node.name, clusterId: cluster.id, force: true, escalation: "none", deadlineSeconds: 30 });
    expect(held.progress).toEqual({ samples: [] });
    expect(held.steps.map((s) => s.step)).toEqual(["requested", "waiting for approval"]);

    const cancelled = await json<{ id: string; cancelRequested: boolean; effect: string }>(
      await admin.post(`/api/v1/operations/${held.id}/cancel`, { data: { reason: "e2e: not this one" } }),
    );
    expect(cancelled).toEqual({ id: held.id, cancelRequested: true, effect: "cancelled while waiting for approval; nothing had been done" });
    expect((await json<Operation>(await admin.get(`/api/v1/operations/${held.id}`))).state).toBe("CANCELLED");

    const again = await json<Operation>(await operator.post(`/api/v1/nodes/${node.id}/drain`, { data: forced }), 202);
    expect(again.state).toBe("AWAITING_APPROVAL");
    // The one who asked may not approve it.
    expect((await admin.post(`/api/v1/operations/${again.id}/approve`, { data: { reason: "me again" } })).status()).toBe(403);
    expect(await json(await operatorSession.post(`/api/v1/operations/${again.id}/approve`, { data: { reason: "e2e: second pair of eyes" } }))).toEqual({
      id: again.id,
      state: "PENDING",
    });
    const drained = await finished(admin, again.id);
    expect(drained.state, JSON.stringify(drained.steps)).toBe("SUCCEEDED");
    expect(drained.steps.map((s) => s.step)).toContain("approved");
    expect(drained.progress).toMatchObject({ sessions: 0 });
    expect(((drained.progress as { samples: unknown[] }).samples ?? []).length).toBeGreaterThan(0);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const maint = await json<Operation>(await operator.post(`/api/v1/nodes/${node.id}/maintenance`, { data: { reason: "e2e: new disk", until } }), 202);
    expect(maint).toMatchObject({ kind: "node.maintenance", subjectId: node.id, progress: {} });
    expect(maint.params).toMatchObject({ v: 1, reason: "e2e: new disk", until, nodeName: node.name });
    expect((await finished(admin, maint.id)).state).toBe("SUCCEEDED");
    expect((await json<{ adminState: string }>(await admin.get(`/api/v1/nodes/${node.id}`))).adminState).toBe("MAINTENANCE");

    const resume = await json<Operation>(
      await operator.post(`/api/v1/nodes/${node.id}/resume`, { data: { reason: "e2e: disk in", slowStartSeconds: 0 } }),
      202,
    );
    expect(resume).toMatchObject({ kind: "node.resume", params: { v: 1, slowStartSeconds: 0, nodeName: node.name } });
    expect((await finished(admin, resume.id)).state).toBe("SUCCEEDED");

    const list = await json<{ id: string; kind: string; state: string; subjectId: string }[]>(await operator.get("/api/v1/operations?limit=20"));
    expect(list.filter((o) => o.subjectId === node.id).map((o) => [o.kind, o.state])).toEqual([
      ["node.resume", "SUCCEEDED"],
      ["node.maintenance", "SUCCEEDED"],
      ["node.drain", "SUCCEEDED"],
      ["node.drain", "CANCELLED"],
    ]);

    // Automatic failover: admins turn it on and off, operators pause it.
    const on = await json(await admin.post(`/api/v1/clusters/${cluster.id}/auto-failover`, { data: { enabled: true, reason: "e2e: on" } }));
    expect(on).toEqual({ id: cluster.id, name: cluster.name, autoFailover: true, autoFailoverPaused: false, lastFailoverAt: null });
    const paused = await json(await operator.post(`/api/v1/clusters/${cluster.id}/auto-failover`, { data: { paused: true, reason: "e2e: planned work" } }));
    expect(paused).toMatchObject({ autoFailover: true, autoFailoverPaused: true });
    expect((await operator.post(`/api/v1/clusters/${cluster.id}/auto-failover`, { data: { enabled: false, reason: "not mine" } })).status()).toBe(403);
    expect(await json(await admin.post(`/api/v1/clusters/${cluster.id}/auto-failover`, { data: { enabled: false, reason: "e2e: off" } }))).toMatchObject({
      autoFailover: false,
    });
  } finally {
    await admin.post("/api/v1/settings/two-person-rule", { data: { enabled: before.twoPersonRule, reason: "e2e: as it was" } });
    await admin.delete(`/api/v1/nodes/${node.id}`);
    await admin.delete(`/api/v1/clusters/${cluster.id}`);
    await operatorSession.dispose();
    await operator.dispose();
    await admin.dispose();
  }
});
