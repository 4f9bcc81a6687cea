// Protects: the inventory routes (clusters, load balancers and their pools,
// nodes, databases), agent enrolment, the summary, me, health and the OpenAPI
// document answer what their response schemas say. The console under test
// checks every JSON answer against its schema (CLUSTERDECK_CHECK_RESPONSES)
// and answers 500 on a mismatch; this walks each route's success once, with
// real records, and reads the answers through the same schemas, so a field
// the schema misses or mistypes fails here and not in a page. Health answers
// with a Response of its own (200 or 503), which the console does not check:
// it is parsed here.
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import type { z } from "zod";
import { api } from "@/lib/api/contract";
import type { RouteSpec } from "@/lib/api/spec";
import { apiAs, uniqueName } from "../helpers";

let admin: APIRequestContext;

test.beforeAll(async () => {
  admin = await apiAs("ADMIN");
});

test.afterAll(async () => admin.dispose());

/** The answer, after its status, read through the route's response schema. */
async function answer<S extends RouteSpec & { response: z.ZodType }>(res: APIResponse, spec: S): Promise<z.output<S["response"]>> {
  const text = await res.text();
  expect(res.status(), `${spec.method} ${spec.path}: ${text.slice(0, 500)}`).toBe(spec.status ?? 200);
  const parsed = spec.response.safeParse(JSON.parse(text));
  expect(parsed.error?.issues ?? [], `${spec.method} ${spec.path}`).toEqual([]);
  return parsed.data as z.output<S["response"]>;
}

test("health, the OpenAPI document and me answer their schemas", async () => {
  const anon = await apiAs("ANONYMOUS");
  const health = await answer(await anon.get("/api/v1/health"), api.health);
  expect(health).toMatchObject({ status: "ok", database: "up" });

  const doc = await answer(await anon.get("/api/v1/openapi.json"), api.openapi);
  // The inventory's answers are in it: a list page of nodes, a node with its pools.
  const list = doc.paths["/api/v1/nodes"]?.get?.responses["200"]?.content?.["application/json"]?.schema as { properties?: Record<string, unknown> };
  expect(Object.keys(list.properties ?? {})).toEqual(expect.arrayContaining(["items", "total", "page", "pageSize"]));
  const detail = doc.paths["/api/v1/nodes/{id}"]?.get?.responses["200"]?.content?.["application/json"]?.schema as { required?: string[] };
  expect(detail.required).toEqual(expect.arrayContaining(["memberships", "cluster", "health", "adminState"]));
  await anon.dispose();

  const me = await answer(await admin.get("/api/v1/me"), api.me);
  expect(me).toMatchObject({ type: "TOKEN", role: "ADMIN" });
  expect(me.permissions).toContain("agents:enrol");
  const viewer = await apiAs("VIEWER");
  const viewerMe = await answer(await viewer.get("/api/v1/me"), api.me);
  expect(viewerMe.role).toBe("VIEWER");
  expect(viewerMe.permissions).not.toContain("inventory:write");
  await viewer.dispose();
});

test("a platform built, read, changed, enrolled and taken down through the API answers its schemas at every step", async () => {
  const name = uniqueName("answers");

  // ---- cluster
  const cluster = await answer(await admin.post("/api/v1/clusters", { data: { name, description: "answers <test>" } }), api.clusters.create);
  expect(cluster).toMatchObject({ name, description: "answers <test>", environment: "production", autoFailover: false, lastFailoverAt: null });
  expect(cluster._count).toEqual({ loadBalancers: 0, nodes: 0, databases: 0, poolers: 0 });

  // ---- nodes, one with an agent
  const web1 = await answer(
    await admin.post("/api/v1/nodes", {
      data: { clusterId: cluster.id, name: "web-1", host: "127.0.0.1", port: 9811, capacity: 500, agentUrl: "http://127.0.0.1:7811" },
    }),
    api.nodes.create,
  );
  expect(web1).toMatchObject({ cluster: { id: cluster.id, name }, adminState: "ACTIVE", health: "UNKNOWN", capacity: 500, maintenanceUntil: null });
  const web2 = await answer(
    await admin.post("/api/v1/nodes", { data: { clusterId: cluster.id, name: "web-2", host: "127.0.0.1", port: 9812 } }),
    api.nodes.create,
  );
  expect(web2.agentUrl).toBeNull();

  // ---- load balancer and its pool
  const lb = await answer(
    await admin.post("/api/v1/load-balancers", {
      data: { clusterId: cluster.id, name: "lb-1", kind: "HAPROXY", host: "127.0.0.1", port: 8811, agentUrl: "http://127.0.0.1:7812" },
    }),
    api.loadBalancers.create,
  );
  expect(lb).toMatchObject({ kind: "HAPROXY", tier: "SOFTWARE", _count: { members: 0 }, lastSeenAt: null });
  const member = await answer(await admin.post(`/api/v1/load-balancers/${lb.id}/members`, { data: { nodeId: web1.id, weight: 80 } }), api.poolMembers.add);
  expect(member).toMatchObject({ weight: 80, backup: false, node: { id: web1.id, name: "web-1", adminState: "ACTIVE" } });
  await answer(await admin.post(`/api/v1/load-balancers/${lb.id}/members`, { data: { nodeId: web2.id, backup: true } }), api.poolMembers.add);
  const changedMember = await answer(
    await admin.patch(`/api/v1/load-balancers/${lb.id}/members/${web2.id}`, { data: { weight: 10, backup: false } }),
    api.poolMembers.update,
  );
  expect(changedMember).toMatchObject({ weight: 10, backup: false, node: { id: web2.id } });

  // ---- databases, a primary with an agent and a replica
  const primary = await answer(
    await admin.post("/api/v1/databases", {
      data: { clusterId: cluster.id, name: "pg-1", host: "127.0.0.1", port: 5811, role: "PRIMARY", agentUrl: "http://127.0.0.1:7813" },
    }),
    api.databases.create,
  );
  expect(primary).toMatchObject({ engine: "POSTGRESQL", role: "PRIMARY", fence: "NONE", replicationState: "UNKNOWN", timeline: null, lagBytes: null });
  const replica = await answer(
    await admin.post("/api/v1/databases", { data: { clusterId: cluster.id, name: "pg-2", host: "127.0.0.1", port: 5812, role: "REPLICA" } }),
    api.databases.create,
  );

  // ---- reads: lists (filtered to this cluster), one record each
  const clusters = await answer(await admin.get(`/api/v1/clusters?q=${name}`), api.clusters.list);
  expect(clusters.items.map((c) => c.id)).toEqual([cluster.id]);
  expect(clusters.items[0]!._count).toEqual({ loadBalancers: 1, nodes: 2, databases: 2, poolers: 0 });
  const nodes = await answer(await admin.get(`/api/v1/nodes?clusterId=${cluster.id}&pageSize=10`), api.nodes.list);
  expect(nodes).toMatchObject({ total: 2, page: 1, pageSize: 10 });
  expect(nodes.items.map((n) => [n.name, n._count.memberships])).toEqual([
    ["web-1", 1],
    ["web-2", 1],
  ]);
  const lbs = await answer(await admin.get(`/api/v1/load-balancers?clusterId=${cluster.id}`), api.loadBalancers.list);
  expect(lbs.items.map((l) => [l.name, l._count.members])).toEqual([["lb-1", 2]]);
  const databases = await answer(await admin.get(`/api/v1/databases?clusterId=${cluster.id}`), api.databases.list);
  expect(databases.items.map((d) => d.role)).toEqual(["PRIMARY", "REPLICA"]);

  expect((await answer(await admin.get(`/api/v1/clusters/${cluster.id}`), api.clusters.get)).name).toBe(name);
  const lbDetail = await answer(await admin.get(`/api/v1/load-balancers/${lb.id}`), api.loadBalancers.get);
  expect(lbDetail.members.map((m) => [m.node.name, m.weight])).toEqual([
    ["web-1", 80],
    ["web-2", 10],
  ]);
  const nodeDetail = await answer(await admin.get(`/api/v1/nodes/${web1.id}`), api.nodes.get);
  expect(nodeDetail.memberships).toEqual([expect.objectContaining({ weight: 80, loadBalancer: expect.objectContaining({ id: lb.id, kind: "HAPROXY" }) })]);
  expect((await answer(await admin.get(`/api/v1/databases/${replica.id}`), api.databases.get)).clusterId).toBe(cluster.id);

  // ---- the dashboard's figures count them
  const summary = await answer(await admin.get("/api/v1/summary"), api.summary);
  expect(summary.clusters).toBeGreaterThanOrEqual(1);
  expect(summary.nodes.total).toBeGreaterThanOrEqual(2);
  expect(summary.databases.primaries).toBeGreaterThanOrEqual(1);
  expect(summary.capacity.total).toBeGreaterThanOrEqual(500 + 1000);

  // ---- changes
  const renamed = await answer(await admin.patch(`/api/v1/clusters/${cluster.id}`, { data: { environment: "staging" } }), api.clusters.update);
  expect(renamed.environment).toBe("staging");
  const reweighted = await answer(await admin.patch(`/api/v1/nodes/${web2.id}`, { data: { weight: 50, capacity: 2000 } }), api.nodes.update);
  expect(reweighted).toMatchObject({ weight: 50, capacity: 2000 });
  const moved = await answer(await admin.patch(`/api/v1/load-balancers/${lb.id}`, { data: { tier: "EDGE", port: 8812 } }), api.loadBalancers.update);
  expect(moved).toMatchObject({ tier: "EDGE", port: 8812, _count: { members: 2 } });
  const withAgent = await answer(await admin.patch(`/api/v1/databases/${replica.id}`, { data: { agentUrl: "http://127.0.0.1:7814" } }), api.databases.update);
  expect(withAgent.agentUrl).toBe("http://127.0.0.1:7814");

  // ---- enrolment: each kind of agent gets its secret once, inside its config
  for (const [path, spec, id, role] of [
    ["nodes", api.agentCredentials.node, web1.id, "app"],
    ["load-balancers", api.agentCredentials.loadBalancer, lb.id, "haproxy"],
    ["databases", api.agentCredentials.database, primary.id, "postgres"],
  ] as const) {
    const issued = await answer(await admin.post(`/api/v1/${path}/${id}/agent-credential`), spec);
    expect(issued.config.role).toBe(role);
    expect(issued.config.credentials).toEqual([{ keyId: issued.keyId, secret: issued.secret }]);
    expect(issued.config[role], `the ${role} section`).toBeTruthy();
    expect(issued.config.tls).toBeUndefined();
  }

  // ---- taken down: every delete is a 204, then the cluster can go
  expect((await admin.delete(`/api/v1/load-balancers/${lb.id}/members/${web1.id}`)).status()).toBe(204);
  expect((await admin.delete(`/api/v1/load-balancers/${lb.id}`)).status()).toBe(204);
  for (const n of [web1, web2]) expect((await admin.delete(`/api/v1/nodes/${n.id}`)).status()).toBe(204);
  for (const d of [primary, replica]) expect((await admin.delete(`/api/v1/databases/${d.id}`)).status()).toBe(204);
  expect((await admin.delete(`/api/v1/clusters/${cluster.id}`)).status()).toBe(204);
  expect((await admin.get(`/api/v1/clusters/${cluster.id}`)).status()).toBe(404);
});
