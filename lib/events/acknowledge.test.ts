// Protects: acknowledging events, one at a time and in bulk
// (POST /api/v1/events/acknowledge), through the real route handlers and an API
// token per role:
// - operators and admins may; viewers and the anonymous may not, and a refusal
//   writes nothing (fail closed, audited as DENIED);
// - bad input is a 4xx problem+json naming the field, and writes nothing;
// - an unknown id refuses the whole request (404 listing the unknown ones) and
//   writes nothing; one acknowledged meanwhile is listed apart and keeps its
//   first acknowledgement;
// - one audit entry per request, with the count.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { generateApiToken } from "@/lib/auth/tokens";
import { BULK_ACKNOWLEDGE_MAX } from "@/lib/events/schemas";

setupTestDatabase();

const tokens: Record<"ADMIN" | "OPERATOR" | "VIEWER", string> = { ADMIN: "", OPERATOR: "", VIEWER: "" };
const userIds: Record<string, string> = {};
let nodeId = "";

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "events-ack-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  for (const role of ["ADMIN", "OPERATOR", "VIEWER"] as const) {
    const user = await db.user.create({ data: { email: `${role.toLowerCase()}@events.test`, role, passwordHash: "x" } });
    const t = generateApiToken();
    await db.apiToken.create({ data: { name: role, role, prefix: t.prefix, tokenHash: t.tokenHash, ownerId: user.id } });
    tokens[role] = t.token;
    userIds[role] = user.id;
  }
  const cluster = await db.cluster.create({ data: { name: "acked" } });
  nodeId = (await db.node.create({ data: { clusterId: cluster.id, name: "web-ack", host: "10.0.7.1", port: 8080 } })).id;
});

async function newEvents(n: number): Promise<string[]> {
  const { db } = await import("@/lib/db");
  const { recordEvent } = await import("@/lib/events/record");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await recordEvent(db, {
      kind: "health.down",
      severity: "CRITICAL",
      subjectType: "NODE",
      subjectId: nodeId,
      clusterId: null,
      message: `web-ack is down (${i})`,
    });
    ids.push(String(id));
  }
  return ids;
}

type Role = keyof typeof tokens | "ANONYMOUS";

async function bulk(role: Role, body: unknown, raw?: string) {
  const { POST } = await import("@/app/api/v1/events/acknowledge/route");
  const req = new Request("http://127.0.0.1/api/v1/events/acknowledge", {
    method: "POST",
    headers: { ...(role === "ANONYMOUS" ? {} : { authorization: `Bearer ${tokens[role]}` }), "content-type": "application/json" },
    body: raw ?? JSON.stringify(body),
  });
  const res = await POST(req);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as Record<string, unknown> };
}

async function acknowledged(ids: string[]) {
  const { db } = await import("@/lib/db");
  return db.event.count({ where: { id: { in: ids.map(BigInt) }, acknowledgedAt: { not: null } } });
}

const bulkAudits = async () => (await import("@/lib/db")).db.auditEntry.count({ where: { action: "event.acknowledge-bulk" } });

describe("POST /api/v1/events/acknowledge", () => {
  it("refuses viewers and the anonymous, writing nothing but the refusal", async () => {
    const { db } = await import("@/lib/db");
    const ids = await newEvents(2);
    const viewer = await bulk("VIEWER", { ids });
    expect(viewer.status).toBe(403);
    expect(viewer.type).toContain("application/problem+json");
    expect((await bulk("ANONYMOUS", { ids })).status).toBe(401);
    expect(await acknowledged(ids)).toBe(0);
    expect(await bulkAudits()).toBe(0);
    expect(await db.auditEntry.count({ where: { action: "POST /api/v1/events/acknowledge", outcome: "DENIED" } })).toBe(1);
  });

  it("answers bad input with a problem naming the field, and writes nothing", async () => {
    const ids = await newEvents(1);
    const cases: Array<[string, unknown, number, string?]> = [
      ["no ids", {}, 422, "ids"],
      ["empty list", { ids: [] }, 422, "ids"],
      ["too many", { ids: Array.from({ length: BULK_ACKNOWLEDGE_MAX + 1 }, (_, i) => String(i + 1)) }, 422, "ids"],
      ["twice the same", { ids: [ids[0], ids[0]] }, 422, "ids"],
      ["not an event id", { ids: ["cmx99abc"] }, 422, "ids.0"],
      ["a number, not a string", { ids: [Number(ids[0])] }, 422, "ids.0"],
      ["note too long", { ids, note: "x".repeat(501) }, 422, "note"],
      ["unknown field", { ids, everything: true }, 422],
      ["not an object", [ids], 422],
    ];
    for (const [what, body, status, field] of cases) {
      const res = await bulk("OPERATOR", body);
      expect(res.status, what).toBe(status);
      expect(res.type, what).toContain("application/problem+json");
      if (field) expect(JSON.stringify(res.body.errors), what).toContain(field);
    }
    expect((await bulk("OPERATOR", undefined, "{not json")).status).toBe(400);
    expect(await acknowledged(ids)).toBe(0);
    expect(await bulkAudits()).toBe(0);
  });

  it("refuses the whole request when an id is unknown, listing those", async () => {
    const ids = await newEvents(2);
    const res = await bulk("OPERATOR", { ids: [...ids, "900000000000000001", "900000000000000002"] });
    expect(res.status).toBe(404);
    expect(res.type).toContain("application/problem+json");
    expect(res.body).toMatchObject({ code: "not_found", missing: ["900000000000000001", "900000000000000002"] });
    expect(await acknowledged(ids)).toBe(0);
    expect(await bulkAudits()).toBe(0);
  });

  it("acknowledges the known ones in one request and one audit entry; one acknowledged before keeps its first acknowledgement", async () => {
    const { db } = await import("@/lib/db");
    const { acknowledgeEvent } = await import("@/lib/events/service");
    const ids = await newEvents(3);
    await acknowledgeEvent(BigInt(ids[1]!), "first", {
      actor: { type: "USER", id: userIds.ADMIN!, userId: userIds.ADMIN!, label: "admin@events.test", role: "ADMIN" },
      requestId: "first",
      clientIp: null,
    });
    const before = await db.event.findUniqueOrThrow({ where: { id: BigInt(ids[1]!) } });

    const res = await bulk("OPERATOR", { ids, note: "on it: failing disk on the rack" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acknowledged: [ids[0], ids[2]], alreadyAcknowledged: [ids[1]] });
    const rows = await db.event.findMany({ where: { id: { in: ids.map(BigInt) } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.acknowledgedById)).toEqual([userIds.OPERATOR, userIds.ADMIN, userIds.OPERATOR]);
    expect(rows[1]!.acknowledgedAt).toEqual(before.acknowledgedAt);
    const audits = await db.auditEntry.findMany({ where: { action: "event.acknowledge-bulk" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: expect.any(String), outcome: "SUCCESS", reason: "on it: failing disk on the rack" });
    expect(audits[0]!.summary).toMatchObject({ count: 2, eventIds: [ids[0], ids[2]], alreadyAcknowledged: 1 });

    // All of them acknowledged already: nothing to do, nothing audited.
    expect((await bulk("ADMIN", { ids })).body).toEqual({ acknowledged: [], alreadyAcknowledged: ids });
    expect(await bulkAudits()).toBe(1);
  });

  it("takes 500 at once", async () => {
    const { db } = await import("@/lib/db");
    await db.event.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({
        kind: "health.down",
        severity: "CRITICAL" as const,
        subjectType: "NODE" as const,
        subjectId: nodeId,
        message: `burst ${i}`,
      })),
    });
    const ids = (await db.event.findMany({ where: { message: { startsWith: "burst " } }, select: { id: true } })).map((e) => String(e.id));
    expect(ids).toHaveLength(500);
    const started = performance.now();
    const res = await bulk("OPERATOR", { ids });
    expect(res.status).toBe(200);
    expect((res.body.acknowledged as string[]).length).toBe(500);
    console.log(`bulk acknowledge of 500 events: ${Math.round(performance.now() - started)} ms`);
  });
});
