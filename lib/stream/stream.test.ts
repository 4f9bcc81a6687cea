// Protects: the live path from the worker to a browser — a health transition
// written by the worker's recorder is NOTIFYed, read once by the web
// process's listener and sent on /api/v1/stream; a reconnecting client with
// Last-Event-ID gets what it missed; anonymous callers are refused.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { generateApiToken } from "@/lib/auth/tokens";
import type { AgentTarget } from "@/lib/agents/service";

setupTestDatabase();
let authorization = "";
let target: AgentTarget;
const open: ReadableStreamDefaultReader<Uint8Array>[] = [];

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "stream-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const user = await db.user.create({ data: { email: "watcher@test.dev", role: "VIEWER", passwordHash: "x" } });
  const t = generateApiToken();
  await db.apiToken.create({ data: { name: "sse", role: "VIEWER", prefix: t.prefix, tokenHash: t.tokenHash, ownerId: user.id } });
  authorization = `Bearer ${t.token}`;
  const cluster = await db.cluster.create({ data: { name: "live" } });
  const node = await db.node.create({ data: { clusterId: cluster.id, name: "app-1", host: "127.0.0.1", port: 9001, health: "UP" } });
  target = {
    subjectType: "NODE",
    id: node.id,
    name: node.name,
    clusterId: cluster.id,
    host: node.host,
    port: node.port,
    agentUrl: "http://127.0.0.1:1",
    health: "UP",
    keyId: "ak_test",
    secret: "x",
  };
});

afterAll(async () => {
  for (const r of open) await r.cancel().catch(() => {});
});

async function connect(headers: Record<string, string>) {
  const { GET } = await import("@/app/api/v1/stream/route");
  const res = await GET(new Request("http://127.0.0.1/api/v1/stream", { headers }));
  return res;
}

/** Reads SSE frames until one matches, or fails after the timeout. */
async function until(reader: ReadableStreamDefaultReader<Uint8Array>, match: (frame: string) => boolean, timeoutMs = 5000) {
  const decoder = new TextDecoder();
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  const frames: string[] = [];
  while (Date.now() < deadline) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
    if (!next || next.done) break;
    buffer += decoder.decode(next.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      frames.push(frame);
      if (match(frame)) return { frame, frames };
    }
  }
  throw new Error(`no matching frame within ${timeoutMs} ms; got:\n${frames.join("\n---\n")}`);
}

it("refuses anonymous and bad-token callers", async () => {
  expect((await connect({})).status).toBe(401);
  expect((await connect({ authorization: "Bearer cdk_" + "x".repeat(43) })).status).toBe(401);
});

it("delivers a health transition from the worker within a second", async () => {
  const { db } = await import("@/lib/db");
  const { Recorder } = await import("@/worker/recorder");
  const res = await connect({ authorization });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  open.push(reader);
  await until(reader, (f) => f.includes(": connected"));
  // Let the listener's LISTEN land before the worker notifies.
  await new Promise((r) => setTimeout(r, 300));

  const recorder = new Recorder(db);
  const sentAt = Date.now();
  await recorder.transition(target, { from: "UP", to: "DOWN", reasons: ["connection refused"] });
  const { frame } = await until(reader, (f) => f.includes("event: event"));
  expect(Date.now() - sentAt).toBeLessThan(1000);
  const data = JSON.parse(
    frame
      .split("\n")
      .find((l) => l.startsWith("data: "))!
      .slice(6),
  );
  expect(data).toMatchObject({
    kind: "health.down",
    severity: "CRITICAL",
    subjectType: "NODE",
    subjectId: target.id,
    message: "app-1 is down: connection refused",
  });
  expect(frame).toMatch(/^id: \d+$/m);
  expect((await db.node.findUniqueOrThrow({ where: { id: target.id } })).health).toBe("DOWN");
});

it("replays what a reconnecting client missed, after its Last-Event-ID", async () => {
  const { db } = await import("@/lib/db");
  const { Recorder } = await import("@/worker/recorder");
  const recorder = new Recorder(db);
  await recorder.transition(target, { from: "DOWN", to: "UP", reasons: [] });
  const seen = await db.event.findFirstOrThrow({ orderBy: { id: "desc" } });
  await recorder.transition(target, { from: "UP", to: "DEGRADED", reasons: ["backend 'db' down"] });

  const res = await connect({ authorization, "last-event-id": seen.id.toString() });
  const reader = res.body!.getReader();
  open.push(reader);
  const { frame, frames } = await until(reader, (f) => f.includes("event: event"));
  expect(frame).toContain("health.degraded");
  expect(frames.join("\n")).not.toContain("health.recovered");
});
