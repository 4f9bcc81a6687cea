// The pgbouncer driver against a real PgBouncer 1.18 (lab/pgbouncer.ts) in front of real
// PostgreSQL 15 streaming replication (lab/postgres.ts). Clients go through PgBouncer as
// an app would; the actions go through a real agent's signed HTTP API where the status
// code matters (422 for bad input).
import { readFile, stat } from "node:fs/promises";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_PATHS, pgbouncerStatus } from "@/lib/agent-protocol/types";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { type PgbouncerHandle, bouncerQuery, startPgbouncer } from "@/lab/pgbouncer";
import { type PostgresPairHandle, query, startPostgresPair } from "@/lab/postgres";
import { sleep, waitFor } from "@/lab/process";
import { parseConfig } from "../config";
import { exposition } from "../prom";
import { type RunningAgent, startAgent } from "../server";
import { signed } from "../testing/client";
import { createPgbouncerDriver } from "./pgbouncer";
import { ActionError, type Driver, type DriverReport } from "./types";

function status(report: DriverReport) {
  if (!("pgbouncer" in report)) throw new Error("not a pgbouncer report");
  return pgbouncerStatus.parse(report.pgbouncer); // what the worker will accept
}

/** A client through PgBouncer, as an app holds one. */
async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on("error", () => {});
  await c.connect();
  return c;
}

/** Settles within ms, or not: a query PgBouncer holds has not. */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    sleep(ms).then(() => false),
  ]);

describe("createPgbouncerDriver config", () => {
  it("refuses bad fields, and reports DOWN without the password when nothing answers", async () => {
    expect(() => createPgbouncerDriver({})).toThrow(/adminUrl/);
    expect(() => createPgbouncerDriver({ adminUrl: "postgresql://a:b@127.0.0.1:1/app", configFile: "/x.ini" })).toThrow(/pgbouncer/);
    expect(() => createPgbouncerDriver({ adminUrl: "postgresql://a:b@127.0.0.1:1/pgbouncer", configFile: "x.ini" })).toThrow(/absolute/);
    const driver = createPgbouncerDriver({ adminUrl: "postgresql://a:secret@127.0.0.1:1/pgbouncer", configFile: "/nonexistent/pgbouncer.ini", timeoutMs: 500 });
    const report = await driver.collect();
    expect(report.health).toBe("DOWN");
    expect(report.reasons[0]).toMatch(/^cannot reach PgBouncer's admin console at 127\.0\.0\.1:1: ECONNREFUSED/);
    expect(report.reasons.join(" ")).not.toContain("secret");
  });
});

describe("pgbouncer driver (transaction mode)", () => {
  let pair: PostgresPairHandle;
  let bouncer: PgbouncerHandle;
  let driver: Driver;

  beforeAll(async () => {
    pair = await startPostgresPair();
    bouncer = await startPgbouncer({ target: { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl } });
    driver = createPgbouncerDriver({ adminUrl: bouncer.adminUrl, configFile: bouncer.configFile, pausedDegradedSeconds: 1 });
    await query(pair.primaryUrl.replace(/\/postgres$/, "/app"), "CREATE TABLE writes (id bigserial PRIMARY KEY, n int NOT NULL)");
    await query(pair.primaryUrl.replace(/\/postgres$/, "/app"), "ALTER TABLE writes OWNER TO app");
  }, 90_000);
  afterAll(async () => {
    await bouncer?.stop();
    await pair?.stop();
  });

  it("reports pools, databases, mode and version; a held transaction shows as active client and server", async () => {
    const app = await client(bouncer.url);
    try {
      await app.query("BEGIN");
      await app.query("SELECT 1");
      const report = await driver.collect();
      const s = status(report);
      expect(report).toMatchObject({ health: "UP", reasons: [] });
      expect(s.version).toBe("PgBouncer 1.18.0");
      expect(s.poolMode).toBe("transaction");
      expect(s.databases).toEqual([{ name: "app", host: "127.0.0.1", port: pair.primary.port, database: "app", paused: false, pausedSince: null }]);
      expect(s.pools).toEqual([
        expect.objectContaining({ database: "app", user: "app", clientsActive: 1, clientsWaiting: 0, serversActive: 1, poolMode: "transaction" }),
      ]);
      expect(s.configChecksum).toMatch(/^[0-9a-f]{64}$/);
      await app.query("COMMIT");
    } finally {
      await app.end();
    }
  });

  it("PAUSE holds a new client's query (it waits, it does not fail) and RESUME releases it", async () => {
    const app = await client(bouncer.url);
    try {
      const paused = await driver.act({ action: "pgbouncer.pause", database: "app", timeoutMs: 5000 });
      expect(paused).toMatchObject({ paused: true, database: "app" });
      const held = app.query<{ n: number }>("SELECT 42 AS n");
      expect(await settlesWithin(held, 1200)).toBe(false);
      const report = await driver.collect();
      const s = status(report);
      expect(s.databases[0]).toMatchObject({ name: "app", paused: true });
      expect(s.pools[0]!.clientsWaiting).toBe(1);
      // pausedDegradedSeconds is 1 here: a pause that lasts is said.
      expect(report.health).toBe("DEGRADED");
      expect(report.reasons.join(" ")).toMatch(/database app paused for \d+ s/);
      const text = await exposition((r) => driver.metrics(r));
      expect(text).toMatch(/clusterdeck_pgbouncer_database_paused\{database="app"\} 1/);
      expect(text).toMatch(/clusterdeck_pgbouncer_clients_waiting\{database="app",user="app"\} 1/);
      expect(await driver.act({ action: "pgbouncer.resume", database: "app" })).toEqual({ resumed: true, database: "app" });
      expect((await held).rows[0]!.n).toBe(42);
      expect(status(await driver.collect()).databases[0]).toMatchObject({ paused: false, pausedSince: null });
    } finally {
      await app.end();
    }
  });

  it("a PAUSE that cannot complete (a transaction held open) is undone: 409, nothing held", async () => {
    const holder = await client(bouncer.url);
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1");
      const err = await driver.act({ action: "pgbouncer.pause", database: "app", timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect(err).toMatchObject({ status: 409, message: expect.stringMatching(/did not complete within 300 ms.*resumed/) });
      const [db] = await bouncerQuery<{ name: string; paused: number }>(bouncer.adminUrl, "SHOW DATABASES");
      expect(db).toMatchObject({ name: "app", paused: 0 });
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
  });

  it("PAUSE → promote → retarget → RESUME under a writer loop: zero failed client queries, new writes on the new primary", async () => {
    const writer = await client(bouncer.url);
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const latencies: number[] = [];
    const loop = (async () => {
      for (let n = 0; running; n++) {
        const t = Date.now();
        try {
          await writer.query("INSERT INTO writes (n) VALUES ($1)", [n]);
          ok++;
          latencies.push(Date.now() - t);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    })();
    try {
      await waitFor("writes through PgBouncer", () => ok > 50);
      const t0 = Date.now();
      await driver.act({ action: "pgbouncer.pause", database: "app", timeoutMs: 5000 });
      // Nothing reaches the old primary now: promote the replica once it has everything.
      const [end] = await query<{ lsn: string }>(pair.primaryUrl, "SELECT pg_current_wal_lsn()::text AS lsn");
      await waitFor("replica caught up", async () => {
        const [r] = await query<{ ok: boolean }>(pair.replicaUrl, `SELECT pg_last_wal_replay_lsn() >= '${end!.lsn}'::pg_lsn AS ok`);
        return r!.ok;
      });
      await query(pair.replicaUrl, "SELECT pg_promote(true, 30)");
      const before = await readFile(bouncer.configFile, "utf8");
      const answer = await driver.act({ action: "pgbouncer.retarget", database: "app", host: "127.0.0.1", port: pair.replica.port });
      expect(answer).toEqual({
        database: "app",
        before: { host: "127.0.0.1", port: pair.primary.port },
        after: { host: "127.0.0.1", port: pair.replica.port },
        changed: true,
        reloaded: true,
      });
      expect(await readFile(bouncer.configFile, "utf8")).toBe(before.replace(`port=${pair.primary.port}`, `port=${pair.replica.port}`));
      await driver.act({ action: "pgbouncer.resume", database: "app" });
      const held = Date.now() - t0;
      const atSwitch = ok;
      await waitFor("writes after the switch", () => ok > atSwitch + 50);
      running = false;
      await loop;
      expect(failures).toEqual([]);
      const [where] = await bouncerQuery<{ port: number; rec: boolean }>(bouncer.url, "SELECT inet_server_port() AS port, pg_is_in_recovery() AS rec");
      expect(where).toEqual({ port: pair.replica.port, rec: false });
      const [rows] = await query<{ n: number }>(pair.replicaUrl.replace(/\/postgres$/, "/app"), "SELECT count(*)::int AS n FROM writes");
      expect(rows!.n).toBe(ok);
      console.log(`switch held writes ${held} ms; ${ok} writes, 0 failed; slowest write ${Math.max(...latencies)} ms`);
    } finally {
      running = false;
      await loop;
      await writer.end();
    }
  }, 60_000);
});

describe("pgbouncer agent over HTTP", () => {
  let pair: PostgresPairHandle;
  let tx: PgbouncerHandle;
  let session: PgbouncerHandle;
  let agent: RunningAgent;
  let sessionAgent: RunningAgent;
  const key = generateAgentSecret();
  const agentFor = (b: PgbouncerHandle) =>
    startAgent(
      parseConfig({
        name: "pool-1",
        role: "pgbouncer",
        listen: { port: 0 },
        credentials: [key],
        intervalMs: 200,
        pgbouncer: { adminUrl: b.adminUrl, configFile: b.configFile },
      }),
      { log: () => {} },
    );
  const act = (a: RunningAgent, body: unknown) => signed(a.url, key, "POST", AGENT_PATHS.actions, JSON.stringify(body));

  beforeAll(async () => {
    pair = await startPostgresPair();
    const target = { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl };
    tx = await startPgbouncer({ target });
    session = await startPgbouncer({ target, poolMode: "session" });
    agent = await agentFor(tx);
    sessionAgent = await agentFor(session);
  }, 90_000);
  afterAll(async () => {
    await agent?.close();
    await sessionAgent?.close();
    await tx?.stop();
    await session?.stop();
    await pair?.stop();
  });

  it("refuses bad retarget input with 422 and leaves the ini as it was (bytes, owner, mode)", async () => {
    const before = await readFile(tx.configFile, "utf8");
    const info = await stat(tx.configFile);
    const bad: Record<string, unknown>[] = [
      { database: "app", host: "127.0.0.1 port=1", port: 5432 },
      { database: "app", host: "x\nlisten_port=1", port: 5432 },
      { database: "app", host: "'", port: 5432 },
      { database: "app", host: "", port: 5432 },
      { database: "app", host: "a".repeat(256), port: 5432 },
      { database: "app", host: "127.0.0.1", port: 0 },
      { database: "app", host: "127.0.0.1", port: 65536 },
      { database: "app", host: "127.0.0.1", port: "5432" },
      { database: "app", host: "127.0.0.1", port: 54.32 },
      { database: "app = host=evil", host: "127.0.0.1", port: 5432 },
      { database: "pgbouncer", host: "127.0.0.1", port: 5432 },
      { database: "*", host: "127.0.0.1", port: 5432 },
      { database: '"app"', host: "127.0.0.1", port: 5432 },
      { database: "../etc/passwd", host: "127.0.0.1", port: 5432 },
      { database: "app", host: "127.0.0.1", port: 5432, configFile: "/tmp/x.ini" },
      { host: "127.0.0.1", port: 5432 },
    ];
    for (const fields of bad) {
      const r = await act(agent, { action: "pgbouncer.retarget", ...fields });
      expect([JSON.stringify(fields), r.status]).toEqual([JSON.stringify(fields), 422]);
    }
    for (const fields of [{ database: "a b" }, { database: "app;RESUME" }, { timeoutMs: 99 }, { timeoutMs: 300_001 }]) {
      expect((await act(agent, { action: "pgbouncer.pause", ...fields })).status).toBe(422);
    }
    // Well-formed but not in the file: 409, still untouched.
    expect((await act(agent, { action: "pgbouncer.retarget", database: "other", host: "127.0.0.1", port: 5432 })).status).toBe(409);
    expect(await readFile(tx.configFile, "utf8")).toBe(before);
    const after = await stat(tx.configFile);
    expect([after.ino, after.uid, after.gid, after.mode]).toEqual([info.ino, info.uid, info.gid, info.mode]);
  });

  it("a retarget keeps the file's owner and mode, so PgBouncer (another user) still reads it", async () => {
    const info = await stat(tx.configFile);
    const r = await act(agent, { action: "pgbouncer.retarget", database: "app", host: "127.0.0.1", port: pair.replica.port });
    expect(r.status).toBe(200);
    const after = await stat(tx.configFile);
    expect([after.uid, after.gid, after.mode]).toEqual([info.uid, info.gid, info.mode]);
    expect(after.ino).not.toBe(info.ino); // replaced atomically, not edited in place
    const back = await act(agent, { action: "pgbouncer.retarget", database: "app", host: "127.0.0.1", port: pair.primary.port });
    expect(JSON.parse(back.body)).toMatchObject({ ok: true, result: { changed: true, after: { port: pair.primary.port } } });
  });

  it("in session mode: DEGRADED, refusing to manage it, and PAUSE refused with 409", async () => {
    await waitFor("a session-mode snapshot", () => sessionAgent.collector.latest?.health === "DEGRADED");
    expect(sessionAgent.collector.latest!.reasons.join(" ")).toMatch(/pool_mode is session: refusing to manage it/);
    const r = await act(sessionAgent, { action: "pgbouncer.pause" });
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body).message).toMatch(/pool_mode session .*refusing to pause/);
    const [db] = await bouncerQuery<{ paused: number }>(session.adminUrl, "SHOW DATABASES");
    expect(db!.paused).toBe(0);
  });
});
