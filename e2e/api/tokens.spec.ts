// Protects: API tokens are shown once, never listed with their secret, act
// with their own role (never above it), and stop working when revoked.
import { expect, test } from "@playwright/test";
import { E2E } from "../env";
import { apiAs } from "../helpers";

test("a token is shown once, works with its role, and stops working when revoked", async ({ playwright }) => {
  const admin = await apiAs("ADMIN");
  const created = await admin.post("/api/v1/tokens", { data: { name: "revoke me", role: "VIEWER", expiresInDays: 1 } });
  expect(created.status()).toBe(201);
  const { id, token, prefix } = await created.json();
  expect(token).toMatch(/^cdk_/);
  expect(token.startsWith(prefix)).toBe(true);

  const listing = await (await admin.get("/api/v1/tokens?pageSize=200")).text();
  expect(listing).not.toContain(token);
  expect(listing).not.toMatch(/tokenHash|[0-9a-f]{64}/);

  const asToken = await playwright.request.newContext({ baseURL: E2E.baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  expect((await asToken.get("/api/v1/nodes")).status()).toBe(200);
  const me = await (await asToken.get("/api/v1/me")).json();
  expect(me).toMatchObject({ type: "TOKEN", role: "VIEWER" });
  expect((await asToken.post("/api/v1/clusters", { data: { name: "nope" } })).status()).toBe(403);

  expect((await admin.delete(`/api/v1/tokens/${id}`)).status()).toBe(200);
  expect((await asToken.get("/api/v1/nodes")).status()).toBe(401);
  expect((await admin.delete(`/api/v1/tokens/${id}`)).status()).toBe(409);
  await asToken.dispose();
  await admin.dispose();
});

test("an operator cannot mint tokens, and no one can mint one above their role", async () => {
  const operator = await apiAs("OPERATOR");
  expect((await operator.post("/api/v1/tokens", { data: { name: "x", role: "OPERATOR" } })).status()).toBe(403);
  await operator.dispose();
});

test("secrets never come back from the API", async () => {
  const admin = await apiAs("ADMIN");
  const users = await (await admin.get("/api/v1/users?pageSize=200")).text();
  expect(users).not.toMatch(/passwordHash|scrypt\$/);
  const audit = await (await admin.get("/api/v1/audit?pageSize=200")).text();
  expect(audit).not.toMatch(/password-e2e|cdk_[A-Za-z0-9_-]{20}/);
  await admin.dispose();
});
