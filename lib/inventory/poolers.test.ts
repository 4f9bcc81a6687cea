// Protects: the connection pooler routes (/api/v1/poolers…) through the real route
// handlers and an API token per role, as the database routes behave:
// - reading is for every role; creating, changing, deleting and enrolling its agent are
//   admin-only, and a refusal changes nothing (fail closed, audited as DENIED);
// - bad input is a 4xx problem+json naming the field, and writes nothing;
// - each change writes its audit entry (with the changes made); deleting a pooler takes
//   its agent credentials along, and a cluster holding a pooler cannot be deleted;
// - the credential's config is a pgbouncer agent's, which the agent's own parser accepts.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { generateApiToken } from "@/lib/auth/tokens";

setupTestDatabase();

const tokens: Record<"ADMIN" | "OPERATOR" | "VIEWER", string> = { ADMIN: "", OPERATOR: "", VIEWER: "" };
let clusterId = "";

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "pooler-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  for (const role of ["ADMIN", "OPERATOR", "VIEWER"] as const) {
    const user = await db.user.create({ data: { email: `${role.toLowerCase()}@poolers.test`, role, passwordHash: "x" } });
    const t = generateApiToken();
    await db.apiToken.create({ data: { name: role, role, prefix: t.prefix, tokenHash: t.tokenHash, ownerId: user.id } });
    tokens[role] = t.token;
  }
  clusterId = (await db.cluster.create({ data: { name: "pooled" } })).id;
});

type Role = keyof typeof tokens;
type Handler = (req: Request, segment?: { params?: Promise<Record<string, string>> }) => Promise<Response>;

async function call(role: Role, method: string, path: string, body?: unknown) {
  const routes = {
    list: await import("@/app/api/v1/poolers/route"),
    one: await import("@/app/api/v1/poolers/[id]/route"),
    credential: await import("@/app/api/v1/poolers/[id]/agent-credential/route"),
  };
  const [, id, sub] = /^\/api\/v1\/poolers(?:\/([^/?]+))?(?:\/([^?]+))?/.exec(path) ?? [];
  const routeModule = sub === "agent-credential" ? routes.credential : id ? routes.one : routes.list;
  const fn = (routeModule as unknown as Record<string, Handler | undefined>)[method];
  if (!fn) throw new Error(`no ${method} on ${path}`);
  const req = new Request(`http://127.0.0.1${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await fn(req, { params: Promise.resolve<Record<string, string>>(id ? { id } : {}) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: text ? JSON.parse(text) : null };
}

const valid = () => ({ clusterId, name: "pgb-1", host: "10.0.9.1", port: 6432, agentUrl: "http://10.0.9.1:7071" });

describe("/api/v1/poolers", () => {
  it("lets only admins write; a refused write changes nothing and is audited as denied", async () => {
    const { db } = await import("@/lib/db");
    for (const role of ["OPERATOR", "VIEWER"] as const) {
      const res = await call(role, "POST", "/api/v1/poolers", { ...valid(), name: `by-${role}` });
      expect(res.status, role).toBe(403);
      expect(res.type).toContain("application/problem+json");
    }
    expect(await db.pooler.count()).toBe(0);
    expect(await db.auditEntry.count({ where: { action: "POST /api/v1/poolers", outcome: "DENIED" } })).toBe(2);

    const created = await call("ADMIN", "POST", "/api/v1/poolers", valid());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "pgb-1", host: "10.0.9.1", port: 6432, health: "UNKNOWN", cluster: { id: clusterId, name: "pooled" } });
    const id = created.body.id as string;
    for (const role of ["OPERATOR", "VIEWER"] as const) {
      expect((await call(role, "PATCH", `/api/v1/poolers/${id}`, { port: 7000 })).status).toBe(403);
      expect((await call(role, "DELETE", `/api/v1/poolers/${id}`)).status).toBe(403);
      expect((await call(role, "POST", `/api/v1/poolers/${id}/agent-credential`)).status).toBe(403);
      // Reading is every role's.
      expect((await call(role, "GET", `/api/v1/poolers/${id}`)).body).toMatchObject({ id, port: 6432 });
      expect((await call(role, "GET", `/api/v1/poolers?clusterId=${clusterId}`)).body).toMatchObject({ total: 1, items: [{ id }] });
    }
    expect(await db.agentCredential.count({ where: { poolerId: id } })).toBe(0);
    expect((await db.pooler.findUniqueOrThrow({ where: { id } })).port).toBe(6432);
    await db.pooler.delete({ where: { id } });
  });

  it("refuses bad input with problem+json naming the field, and writes nothing", async () => {
    const { db } = await import("@/lib/db");
    const before = { poolers: await db.pooler.count(), audit: await db.auditEntry.count({ where: { action: { startsWith: "pooler." } } }) };
    const cases: [string, Record<string, unknown>, number, string][] = [
      ["no name", { name: undefined }, 422, "body.name"],
      ["bad name", { name: "Has Spaces!" }, 422, "body.name"],
      ["port 0", { port: 0 }, 422, "body.port"],
      ["port 70000", { port: 70000 }, 422, "body.port"],
      ["port as text", { port: "6432" }, 422, "body.port"],
      ["bad host", { host: "no spaces allowed" }, 422, "body.host"],
      ["agent URL not http", { agentUrl: "ftp://10.0.9.1:7071" }, 422, "body.agentUrl"],
      ["metadata agent URL", { agentUrl: "http://169.254.169.254:7071" }, 422, "body.agentUrl"],
      ["link-local host", { host: "169.254.170.2" }, 422, "body.host"],
      ["unknown field", { role: "PRIMARY" }, 422, "body"],
      ["no such cluster", { clusterId: "cm0000000000000000000000" }, 422, "body.clusterId"],
    ];
    for (const [what, change, status, field] of cases) {
      const res = await call("ADMIN", "POST", "/api/v1/poolers", { ...valid(), ...change });
      expect(res.status, what).toBe(status);
      expect(res.type, what).toContain("application/problem+json");
      expect(JSON.stringify(res.body.errors ?? []), what).toContain(`"${field}`);
    }
    expect((await call("ADMIN", "GET", "/api/v1/poolers?clusterId=not-an-id!")).status).toBe(400);
    const ok = await call("ADMIN", "POST", "/api/v1/poolers", valid());
    expect((await call("ADMIN", "POST", "/api/v1/poolers", { ...valid(), host: "10.0.9.2" })).status, "same name in the cluster").toBe(409);
    expect((await call("ADMIN", "PATCH", `/api/v1/poolers/${ok.body.id}`, { port: -1 })).status).toBe(422);
    expect((await call("ADMIN", "PATCH", "/api/v1/poolers/cm0000000000000000000000", { port: 6433 })).status).toBe(404);
    expect(await db.pooler.count()).toBe(before.poolers + 1);
    expect(await db.auditEntry.count({ where: { action: { startsWith: "pooler." } } })).toBe(before.audit + 1);
    await db.pooler.delete({ where: { id: ok.body.id } });
  });

  it("audits each change, issues a pgbouncer agent's config, and deletes with its credentials; the cluster counts it", async () => {
    const { db } = await import("@/lib/db");
    const { parseConfig } = await import("@/agent/config");
    const created = await call("ADMIN", "POST", "/api/v1/poolers", { ...valid(), name: "pgb-audited", agentUrl: null });
    const id = created.body.id as string;
    expect((await db.auditEntry.findFirstOrThrow({ where: { action: "pooler.create", targetId: id } })).targetType).toBe("POOLER");

    // No agent URL yet: nothing to enrol.
    expect((await call("ADMIN", "POST", `/api/v1/poolers/${id}/agent-credential`)).status).toBe(422);
    const patched = await call("ADMIN", "PATCH", `/api/v1/poolers/${id}`, { agentUrl: "http://10.0.9.1:7071", port: 6433 });
    expect(patched.status).toBe(200);
    const update = await db.auditEntry.findFirstOrThrow({ where: { action: "pooler.update", targetId: id } });
    expect(update.summary).toEqual({ changes: { agentUrl: { from: null, to: "http://10.0.9.1:7071" }, port: { from: 6432, to: 6433 } } });

    const issued = await call("ADMIN", "POST", `/api/v1/poolers/${id}/agent-credential`);
    expect(issued.status).toBe(201);
    expect(issued.body.config).toMatchObject({ name: "pgb-audited", role: "pgbouncer", listen: { host: "10.0.9.1", port: 7071 } });
    expect(issued.body.config.pgbouncer.adminUrl).toBe("postgresql://clusterdeck_agent@127.0.0.1:6433/pgbouncer");
    expect(() => parseConfig(issued.body.config)).not.toThrow();
    expect(await db.auditEntry.count({ where: { action: "agent.credential.issue", targetType: "POOLER", targetId: id } })).toBe(1);

    const { deleteCluster } = await import("@/lib/inventory/clusters");
    const { systemActor } = await import("@/lib/common/actor");
    await expect(deleteCluster(clusterId, { actor: systemActor("test"), requestId: "pooler-test", clientIp: null })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("1 connection pooler(s)"),
    });

    expect((await call("ADMIN", "DELETE", `/api/v1/poolers/${id}`)).status).toBe(204);
    expect(await db.pooler.findUnique({ where: { id } })).toBeNull();
    expect(await db.agentCredential.count({ where: { keyId: issued.body.keyId } })).toBe(0);
    expect((await db.auditEntry.findFirstOrThrow({ where: { action: "pooler.delete", targetId: id } })).summary).toEqual({
      deleted: { name: "pgb-audited", host: "10.0.9.1", port: 6433 },
    });
    expect((await call("ADMIN", "GET", `/api/v1/poolers/${id}`)).status).toBe(404);
  });
});
