// Protects: bad input gets a clear 4xx (problem+json) and writes nothing —
// not the record, not an audit entry. Covers malformed JSON, wrong types,
// unknown fields, oversized bodies, wrong media type, HTML/SQL-looking names,
// bad query parameters, and cross-site cookie mutations.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiAs, uniqueName } from "../helpers";
import { E2E, storageState } from "../env";

let admin: APIRequestContext;
let clusterId: string;

async function counts() {
  const clusters = await (await admin.get("/api/v1/clusters?pageSize=1")).json();
  const nodes = await (await admin.get("/api/v1/nodes?pageSize=1")).json();
  const audit = await (await admin.get("/api/v1/audit?pageSize=1&outcome=SUCCESS")).json();
  return { clusters: clusters.total, nodes: nodes.total, audit: audit.total };
}

async function expectProblem(res: import("@playwright/test").APIResponse, status: number, detail: RegExp) {
  expect(res.status(), await res.text()).toBe(status);
  expect(res.headers()["content-type"]).toContain("application/problem+json");
  const body = await res.json();
  expect(body.status).toBe(status);
  expect(body.requestId).toBeTruthy();
  expect(body.detail).toMatch(detail);
  return body;
}

test.beforeAll(async () => {
  admin = await apiAs("ADMIN");
  const res = await admin.post("/api/v1/clusters", { data: { name: uniqueName("val") } });
  expect(res.status()).toBe(201);
  clusterId = (await res.json()).id;
});

test.afterAll(async () => admin.dispose());

const validNode = () => ({ clusterId, name: uniqueName("node"), host: "127.0.0.1", port: 8080 });

test("malformed JSON is refused with the parser's complaint", async () => {
  const before = await counts();
  const res = await admin.post("/api/v1/nodes", { headers: { "content-type": "application/json" }, data: Buffer.from('{"name": "a",') });
  await expectProblem(res, 400, /Malformed JSON/);
  expect(await counts()).toEqual(before);
});

test("wrong types name the field", async () => {
  const before = await counts();
  const res = await admin.post("/api/v1/nodes", { data: { ...validNode(), port: "8080", weight: true } });
  const problem = await expectProblem(res, 422, /port/);
  expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(["body.port", "body.weight"]));
  expect(await counts()).toEqual(before);
});

test("unknown fields are refused, not ignored", async () => {
  const before = await counts();
  const res = await admin.post("/api/v1/nodes", { data: { ...validNode(), adminState: "DRAINED", isAdmin: true } });
  await expectProblem(res, 422, /Unrecognized key/i);
  expect(await counts()).toEqual(before);
});

test("oversized bodies are refused before parsing", async () => {
  const before = await counts();
  const res = await admin.post("/api/v1/clusters", { data: { name: "big", description: "x".repeat(200_000) } });
  await expectProblem(res, 413, /limit/);
  expect(await counts()).toEqual(before);
});

test("a body that is not JSON is refused with 415", async () => {
  const res = await admin.post("/api/v1/clusters", { headers: { "content-type": "text/plain" }, data: "name=x" });
  await expectProblem(res, 415, /JSON/);
});

for (const name of ['<script>alert("x")</script>', 'x\'; DROP TABLE "Node"; --', "../../etc/passwd", " ", "a".repeat(64)]) {
  test(`a name like ${JSON.stringify(name.slice(0, 24))} is refused and nothing is written`, async () => {
    const before = await counts();
    for (const path of ["/api/v1/clusters", "/api/v1/nodes"]) {
      const res = await admin.post(path, { data: path.endsWith("nodes") ? { ...validNode(), name } : { name } });
      const problem = await expectProblem(res, 422, /name/i);
      expect(problem.errors[0].path).toBe("body.name");
    }
    expect(await counts()).toEqual(before);
  });
}

test("descriptions keep HTML as text", async () => {
  const description = '<img src=x onerror="alert(1)"> & <b>bold</b>';
  const res = await admin.post("/api/v1/clusters", { data: { name: uniqueName("html"), description } });
  expect(res.status()).toBe(201);
  const created = await res.json();
  expect((await (await admin.get(`/api/v1/clusters/${created.id}`)).json()).description).toBe(description);
  expect((await admin.delete(`/api/v1/clusters/${created.id}`)).status()).toBe(204);
});

test("bad query parameters get 400", async () => {
  await expectProblem(await admin.get("/api/v1/nodes?pageSize=100000"), 400, /pageSize/);
  await expectProblem(await admin.get("/api/v1/nodes?health=SIDEWAYS"), 400, /health/);
  await expectProblem(await admin.get("/api/v1/nodes?color=red"), 400, /Unrecognized key/i);
  await expectProblem(await admin.get("/api/v1/nodes/not-an-id!"), 400, /id/);
});

test("a missing record is a 404 problem", async () => {
  await expectProblem(await admin.get("/api/v1/nodes/zzzznotfound000000000000"), 404, /does not exist/);
});

test("duplicate names in a cluster are a 409 naming the field", async () => {
  const node = validNode();
  expect((await admin.post("/api/v1/nodes", { data: node })).status()).toBe(201);
  await expectProblem(await admin.post("/api/v1/nodes", { data: { ...node, port: 8081 } }), 409, /name/);
});

test("a viewer's mutation is refused, audited as denied, and changes nothing", async () => {
  const viewer = await apiAs("VIEWER");
  const before = await counts();
  await expectProblem(await viewer.post("/api/v1/nodes", { data: validNode() }), 403, /VIEWER/);
  await expectProblem(await viewer.delete(`/api/v1/clusters/${clusterId}`), 403, /VIEWER/);
  expect(await counts()).toEqual(before);
  const denied = await (await admin.get("/api/v1/audit?outcome=DENIED&pageSize=5")).json();
  // The e2e tokens are minted by the admin and scoped to a role, so the label names both.
  const labels = denied.items.map((e: { actorLabel: string; action: string }) => `${e.actorLabel} ${e.action}`);
  expect(labels, JSON.stringify(labels)).toContain("admin@e2e.test (token e2e viewer) DELETE /api/v1/clusters/{id}");
  await viewer.dispose();
});

test("anonymous callers get 401; a bad token gets 401", async () => {
  const anon = await apiAs("ANONYMOUS");
  await expectProblem(await anon.get("/api/v1/nodes"), 401, /Sign in/);
  await expectProblem(await anon.get("/api/v1/nodes", { headers: { authorization: "Bearer cdk_notarealtokenatallnotatall" } }), 401, /invalid/);
  await expectProblem(await anon.get("/api/v1/nodes", { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } }), 401, /Malformed/);
  const health = await anon.get("/api/v1/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", database: "up" });
  await anon.dispose();
});

test("cookie-authenticated changes need this console's Origin", async ({ playwright }) => {
  const browserLike = await playwright.request.newContext({ baseURL: E2E.baseURL, storageState: storageState("ADMIN") });
  const before = await counts();
  await expectProblem(await browserLike.post("/api/v1/clusters", { data: { name: uniqueName("csrf") } }), 403, /Cross-site/);
  await expectProblem(
    await browserLike.post("/api/v1/clusters", { headers: { origin: "https://evil.example" }, data: { name: uniqueName("csrf") } }),
    403,
    /Cross-site/,
  );
  expect(await counts()).toEqual(before);
  const ok = await browserLike.post("/api/v1/clusters", { headers: { origin: E2E.baseURL }, data: { name: uniqueName("same-origin") } });
  expect(ok.status()).toBe(201);
  await browserLike.dispose();
});

test("the OpenAPI document describes every route with its schemas", async () => {
  const anon = await apiAs("ANONYMOUS");
  const doc = await (await anon.get("/api/v1/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
  const createNode = doc.paths["/api/v1/nodes"].post;
  expect(createNode.requestBody.content["application/json"].schema.properties.port).toMatchObject({ type: "integer", maximum: 65535 });
  expect(createNode.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
  await anon.dispose();
});
