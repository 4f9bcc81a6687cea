// The demo app server over real sockets: sticky sessions, idle expiry, drain,
// admin endpoints and writes into a real (embedded) PostgreSQL.
import os from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { request, sleep, waitFor, type Reply } from "@/agent/testing/client";
import { startAppServer, type AppServer } from "./app-server";

const cookieOf = (r: Reply) => String(r.headers["set-cookie"] ?? "").split(";")[0]!;
const body = (r: Reply) => JSON.parse(r.body);
type Stats = { sessions: number; requests: number; errors: number; refused: number; draining: boolean; latencyMs: number | null; held: number };
const stats = async (app: AppServer): Promise<Stats> => body(await request(`${app.url}/stats`));

describe("demo app server", () => {
  const apps: AppServer[] = [];
  const start = async (opts: Partial<Parameters<typeof startAppServer>[0]> = {}) => {
    const app = await startAppServer({ port: 0, name: "app-1", ...opts });
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it("keeps sticky sessions with a random SID cookie and counts them", async () => {
    const app = await start();
    const a1 = await request(`${app.url}/`);
    expect(a1.status).toBe(200);
    expect(a1.headers["set-cookie"]).toEqual([expect.stringMatching(/^SID=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/)]);
    expect(body(a1)).toEqual({ node: "app-1", hits: 1 });
    const a = cookieOf(a1);
    const a2 = await request(`${app.url}/`, { headers: { cookie: `theme=dark; ${a}` } });
    expect(body(a2)).toEqual({ node: "app-1", hits: 2 });
    expect(a2.headers["set-cookie"]).toBeUndefined();
    const b1 = await request(`${app.url}/`);
    expect(cookieOf(b1)).not.toBe(a);
    expect(body(b1).hits).toBe(1);
    // A forged or unknown SID gets a session of its own, never someone else's.
    const forged = await request(`${app.url}/`, { headers: { cookie: "SID=AAAAAAAAAAAAAAAAAAAAAA" } });
    expect(body(forged).hits).toBe(1);
    expect(cookieOf(forged)).not.toBe("SID=AAAAAAAAAAAAAAAAAAAAAA");
    const s = await stats(app);
    expect(s).toMatchObject({ sessions: 3, requests: 4, errors: 0, draining: false });
    expect(s.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("forgets idle sessions, so the session count falls", async () => {
    const app = await start({ sessionIdleMs: 300 });
    const a = cookieOf(await request(`${app.url}/`));
    await request(`${app.url}/`);
    expect((await stats(app)).sessions).toBe(2);
    // One of them stays active.
    for (let i = 0; i < 4; i++) {
      await sleep(120);
      await request(`${app.url}/`, { headers: { cookie: a } });
    }
    expect((await stats(app)).sessions).toBe(1);
    await sleep(400);
    expect((await stats(app)).sessions).toBe(0);
    const again = await request(`${app.url}/`, { headers: { cookie: a } });
    expect(body(again).hits).toBe(1);
    expect(cookieOf(again)).not.toBe(a);
  });

  it("while draining, refuses new sessions with 503 + Retry-After and serves existing ones; resume undoes it", async () => {
    const app = await start();
    const a = cookieOf(await request(`${app.url}/`));
    const drain = await request(`${app.url}/admin/drain`, { method: "POST" });
    expect(body(drain)).toEqual({ node: "app-1", draining: true });
    expect((await request(`${app.url}/health`)).status).toBe(200); // still healthy: it serves its sessions

    const fresh = await request(`${app.url}/`);
    expect(fresh.status).toBe(503);
    expect(fresh.headers["retry-after"]).toBe("1");
    expect(fresh.headers["set-cookie"]).toBeUndefined();
    const sticky = await request(`${app.url}/`, { headers: { cookie: a } });
    expect(sticky.status).toBe(200);
    expect(body(sticky).hits).toBe(2);
    const s = await stats(app);
    // Refusals are the drain working, not errors.
    expect(s).toMatchObject({ sessions: 1, draining: true, refused: 1, errors: 0 });

    await request(`${app.url}/admin/resume`, { method: "POST" });
    expect((await request(`${app.url}/`)).status).toBe(200);
    expect((await stats(app)).draining).toBe(false);
  });

  it("answers admin endpoints only to direct loopback callers", async () => {
    const app = await start();
    const relayed = await request(`${app.url}/admin/drain`, { method: "POST", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(relayed.status).toBe(403);
    expect((await stats(app)).draining).toBe(false);

    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (external) {
      const wide = await start({ host: "0.0.0.0" });
      const port = wide.port;
      expect((await request(`http://${external}:${port}/`)).status).toBe(200);
      expect((await request(`http://${external}:${port}/admin/drain`, { method: "POST" })).status).toBe(403);
      expect((await request(`http://${external}:${port}/admin/db`, { method: "POST", body: '{"url":"postgresql://x/y"}' })).status).toBe(403);
      expect((await stats(wide)).draining).toBe(false);
    }
  });

  it("answers 404 and 405, and fails /health while shutting down", async () => {
    const app = await start();
    expect((await request(`${app.url}/nope`)).status).toBe(404);
    expect((await request(`${app.url}/admin/drain`)).status).toBe(405);
    expect((await request(`${app.url}/write`)).status).toBe(405);
    expect((await request(`${app.url}/write`, { method: "POST" })).status).toBe(409); // no database
    const closing = app.close({ graceMs: 400 });
    await sleep(50);
    const health = await request(`${app.url}/health`);
    expect(health.status).toBe(503);
    expect(body(health).status).toBe("shutting-down");
    await closing;
    await expect(request(`${app.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("demo app server writes", () => {
  let server: TestPostgres;
  let secondUrl: string;
  const query = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    server = await startTestPostgres();
    await query(server.url, "CREATE DATABASE second_primary");
    const u = new URL(server.url);
    u.pathname = "/second_primary";
    secondUrl = u.toString();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("inserts acknowledged writes, follows POST /admin/db to a new database, and never acknowledges a failed write", async () => {
    const app = await startAppServer({ port: 0, name: "app-w", dbUrl: server.url });
    try {
      const first = await request(`${app.url}/write`, { method: "POST", body: JSON.stringify({ payload: "one" }) });
      expect(first.status).toBe(201);
      const cookie = cookieOf(first);
      const ids = [body(first).id as string];
      // Two nodes creating the table at the same moment is fine; so are concurrent writes.
      const many = await Promise.all(Array.from({ length: 10 }, () => request(`${app.url}/write`, { method: "POST", headers: { cookie } })));
      expect(many.map((r) => r.status)).toEqual(Array(10).fill(201));
      ids.push(...many.map((r) => body(r).id as string));
      const rows = await query(server.url, "SELECT id::text, node, payload FROM writes ORDER BY writes.id");
      expect(rows.map((r) => r.id)).toEqual([...ids].sort((x, y) => Number(x) - Number(y)));
      expect(rows[0]).toMatchObject({ node: "app-w", payload: "one" });

      expect((await request(`${app.url}/admin/db`, { method: "POST", body: '{"url":"mysql://x"}' })).status).toBe(400);
      const moved = await request(`${app.url}/admin/db`, { method: "POST", body: JSON.stringify({ url: secondUrl }) });
      expect(moved.status).toBe(200);
      const after = await request(`${app.url}/write`, { method: "POST", headers: { cookie }, body: '{"payload":"two"}' });
      expect(after.status).toBe(201);
      expect(await query(secondUrl, "SELECT payload FROM writes")).toEqual([{ payload: "two" }]);
      expect((await query(server.url, "SELECT count(*)::int AS n FROM writes"))[0].n).toBe(ids.length);

      // Pointed at nothing: the write fails, is not acknowledged, and counts as an error.
      await request(`${app.url}/admin/db`, { method: "POST", body: JSON.stringify({ url: "postgresql://postgres@127.0.0.1:1/none" }) });
      const failed = await request(`${app.url}/write`, { method: "POST", headers: { cookie } });
      expect(failed.status).toBe(503);
      expect(body(failed).id).toBeUndefined();
      expect((await stats(app)).errors).toBe(1);
    } finally {
      await app.close();
    }
  });

  it("holds writes through a switch: new ones wait, one broken mid-flight is retried, all land on the new database after the release", async () => {
    await query(secondUrl, "DELETE FROM writes");
    const app = await startAppServer({ port: 0, name: "app-h", dbUrl: server.url });
    const locker = new pg.Client({ connectionString: server.url });
    try {
      const cookie = cookieOf(await request(`${app.url}/write`, { method: "POST", body: '{"payload":"before"}' }));
      const write = (payload: string) => request(`${app.url}/write`, { method: "POST", headers: { cookie }, body: JSON.stringify({ payload }) });
      expect((await request(`${app.url}/admin/hold-writes`, { method: "POST", body: '{"ms":0}' })).status).toBe(400);
      expect((await request(`${app.url}/admin/hold-writes`, { method: "POST", body: '{"ms":30001}' })).status).toBe(400);
      expect(
        (await request(`${app.url}/admin/hold-writes`, { method: "POST", body: '{"ms":1000}', headers: { "x-forwarded-for": "203.0.113.9" } })).status,
      ).toBe(403);

      // A write in flight when the hold starts: blocked by a lock, then its session is ended (what a fence does).
      await locker.connect();
      await locker.query("BEGIN; LOCK TABLE writes IN ACCESS EXCLUSIVE MODE");
      const inFlight = write("in-flight");
      await waitFor("the write to block", async () => (await query(server.url, "SELECT 1 FROM pg_locks WHERE NOT granted")).length > 0, 5000, 20);
      const held = await request(`${app.url}/admin/hold-writes`, { method: "POST", body: '{"ms":10000}' });
      expect(body(held)).toEqual({ node: "app-h", holdingMs: 10000, held: 0 });
      const queued = ["q1", "q2", "q3"].map(write);
      await waitFor("three writes held", async () => (await stats(app)).held === 3, 5000, 20);
      await query(server.url, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE NOT granted");
      await waitFor("the broken write held too", async () => (await stats(app)).held === 4, 5000, 20);
      await locker.query("ROLLBACK");

      // Pointed at the new primary, then released: every write succeeds there.
      await request(`${app.url}/admin/db`, { method: "POST", body: JSON.stringify({ url: secondUrl }) });
      expect(body(await request(`${app.url}/admin/release-writes`, { method: "POST" }))).toEqual({ node: "app-h", released: 4 });
      const answers = await Promise.all([inFlight, ...queued]);
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      const rows = await query(secondUrl, "SELECT payload FROM writes ORDER BY payload");
      expect(rows.map((r) => r.payload)).toEqual(["in-flight", "q1", "q2", "q3"]);
      expect(await query(server.url, "SELECT payload FROM writes WHERE payload IN ('in-flight', 'q1', 'q2', 'q3')")).toEqual([]);
      expect(await stats(app)).toMatchObject({ errors: 0, held: 0, holdRemainingMs: null, heldPastBound: 0 });
    } finally {
      await locker.end().catch(() => {});
      await app.close();
    }
  });

  it("ends a hold nobody releases at its bound: the writes go on", async () => {
    const app = await startAppServer({ port: 0, name: "app-b", dbUrl: server.url });
    try {
      await request(`${app.url}/admin/hold-writes`, { method: "POST", body: '{"ms":400}' });
      const t0 = Date.now();
      const r = await request(`${app.url}/write`, { method: "POST" });
      expect(r.status).toBe(201);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(await stats(app)).toMatchObject({ held: 0, holdRemainingMs: null, heldPastBound: 1, errors: 0 });
      // No hold in force: a write goes straight through.
      const t1 = Date.now();
      expect((await request(`${app.url}/write`, { method: "POST" })).status).toBe(201);
      expect(Date.now() - t1).toBeLessThan(300);
    } finally {
      await app.close();
    }
  });
});
