// The pgbouncer role driver: observes and steers one PgBouncer (1.18+) through its admin
// console, the virtual "pgbouncer" database on its own listener, and owns its ini file's
// [databases] targets. The anchor of a switchover that fails no client: PAUSE holds new
// transactions (they wait, they do not fail), the ini is pointed at the new primary,
// RELOAD, RESUME.
//
// - The admin console speaks only the simple-query protocol: every command is a plain
//   string with no parameters (pg's client.query(text) sends a Query message). Values in a
//   command (a database name) are schema-checked (lib/agent-protocol/types.ts) and
//   double-quoted as the console's grammar reads identifiers.
// - pool_mode must be transaction: in session mode PAUSE waits for every client to
//   disconnect, which in practice is never. The agent reports any other mode as DEGRADED
//   ("refusing to manage") and refuses to pause such a pool (409).
// - No startup parameter beyond user and database: PgBouncer refuses unknown ones
//   (statement_timeout…), so timeouts are the client's own (query_timeout).
// - Fresh connection per collect and per action: a restarted PgBouncer needs no
//   reconnect logic, and a PAUSE that waits never blocks the next collect.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

import pg from "pg";
import { z } from "zod";
import type { AgentAction, PgbouncerDatabase, PgbouncerPool, PgbouncerStatus } from "@/lib/agent-protocol/types";
import type { Registry } from "prom-client";
import { family } from "../prom";
import { writeAtomically } from "../managed/file";
import { ActionError, type Driver, type DriverReport } from "./types";
import { IniEditError, retargetDatabase } from "./pgbouncer-ini";

const configSchema = z.strictObject({
  /** postgresql://admin:password@host:port/pgbouncer — a user in PgBouncer's admin_users. */
  adminUrl: z
    .string()
    .max(2000)
    .refine((u) => /^postgres(ql)?:\/\/[^/]+\/pgbouncer(\?|$)/.test(u), "must be a postgresql:// URL to the database pgbouncer (the admin console)"),
  /** The pgbouncer.ini PgBouncer runs; the agent rewrites its [databases] host and port (pgbouncer.retarget). */
  configFile: z
    .string()
    .max(4096)
    .refine((p) => path.isAbsolute(p) && path.normalize(p) === p, "must be an absolute, normalised path"),
  /** Connect and per-command timeout. */
  timeoutMs: z.number().int().min(100).max(60_000).default(3000),
  /** A database paused longer than this is DEGRADED (a switchover that never resumed). */
  pausedDegradedSeconds: z.number().int().min(1).max(86_400).default(30),
  /** A pool whose oldest waiting client has waited this long is DEGRADED. */
  waitingDegradedSeconds: z.number().int().min(1).max(86_400).default(5),
});
export type PgbouncerDriverConfig = z.input<typeof configSchema>;

type Row = Record<string, unknown>;
const ADMIN_DB = "pgbouncer";
const num = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};
const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : "");
/** A database name in an admin command: schema-checked already; quoted as the console reads identifiers. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function poolsOf(rows: Row[]): PgbouncerPool[] {
  return rows.map((r) => ({
    database: str(r.database, 100),
    user: str(r.user, 100),
    clientsActive: num(r.cl_active),
    clientsWaiting: num(r.cl_waiting),
    serversActive: num(r.sv_active),
    serversIdle: num(r.sv_idle),
    serversUsed: num(r.sv_used),
    maxWaitSeconds: num(r.maxwait) + num(r.maxwait_us) / 1e6,
    poolMode: str(r.pool_mode, 20),
  }));
}

export function createPgbouncerDriver(rawConfig: unknown): Driver {
  const parsed = configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`invalid pgbouncer driver config: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const at = (() => {
    const u = new URL(config.adminUrl);
    return `${u.hostname}:${u.port || 5432}`;
  })();
  const pausedSince = new Map<string, Date>();
  let last: DriverReport | null = null;

  /** Runs commands in order on one fresh admin connection; answers each one's rows. */
  async function admin(commands: string[], timeoutMs = config.timeoutMs): Promise<Row[][]> {
    const client = new pg.Client({ connectionString: config.adminUrl, connectionTimeoutMillis: config.timeoutMs, query_timeout: timeoutMs });
    client.on("error", () => {});
    try {
      await client.connect();
      const out: Row[][] = [];
      for (const command of commands) out.push((await client.query<Row>(command)).rows);
      return out;
    } finally {
      await client.end().catch(() => {});
    }
  }

  async function checksum(): Promise<{ checksum: string | null; problem?: string }> {
    try {
      return {
        checksum: createHash("sha256")
          .update(await readFile(config.configFile))
          .digest("hex"),
      };
    } catch (error) {
      return { checksum: null, problem: `cannot read ${config.configFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
  }

  function databasesOf(rows: Row[]): PgbouncerDatabase[] {
    const now = new Date();
    const seen = new Set<string>();
    const out = rows
      .filter((r) => r.name !== ADMIN_DB)
      .map((r) => {
        const name = str(r.name, 100);
        const paused = num(r.paused) > 0;
        seen.add(name);
        if (!paused) pausedSince.delete(name);
        else if (!pausedSince.has(name)) pausedSince.set(name, now);
        return {
          name,
          host: typeof r.host === "string" ? r.host.slice(0, 255) : null,
          port: r.port === null || r.port === undefined ? null : Math.trunc(num(r.port)),
          database: str(r.database, 100),
          paused,
          pausedSince: pausedSince.get(name)?.toISOString() ?? null,
        };
      });
    for (const name of pausedSince.keys()) if (!seen.has(name)) pausedSince.delete(name);
    return out;
  }

  async function collect(): Promise<DriverReport> {
    const file = await checksum();
    let status: PgbouncerStatus;
    try {
      const [version, settings, pools, databases] = await admin(["SHOW VERSION", "SHOW CONFIG", "SHOW POOLS", "SHOW DATABASES"]);
      status = {
        version: str(version![0]?.version, 100) || null,
        poolMode: str(settings!.find((r) => r.key === "pool_mode")?.value, 20) || null,
        pools: poolsOf(pools!.filter((r) => r.database !== ADMIN_DB)),
        databases: databasesOf(databases!),
        configChecksum: file.checksum,
      };
    } catch (error) {
      last = {
        health: "DOWN",
        reasons: [`cannot reach PgBouncer's admin console at ${at}: ${((error as NodeJS.ErrnoException).code ?? (error as Error).message).slice(0, 200)}`],
        pgbouncer: { version: null, poolMode: null, pools: [], databases: [], configChecksum: file.checksum },
      };
      return last;
    }
    const reasons: string[] = [];
    if (status.poolMode !== "transaction") {
      reasons.push(`pool_mode is ${status.poolMode ?? "unknown"}: refusing to manage it (PAUSE needs pool_mode = transaction)`);
    }
    for (const p of status.pools) {
      if (p.poolMode !== "transaction" && status.poolMode === "transaction") {
        reasons.push(`pool ${p.database}/${p.user} runs in ${p.poolMode} mode: refusing to manage it (PAUSE needs transaction)`);
      }
      if (p.clientsWaiting > 0 && p.maxWaitSeconds >= config.waitingDegradedSeconds) {
        reasons.push(`pool ${p.database}/${p.user}: ${p.clientsWaiting} clients waiting, the oldest for ${Math.round(p.maxWaitSeconds)} s`);
      }
    }
    const now = Date.now();
    for (const d of status.databases) {
      const since = d.pausedSince ? (now - Date.parse(d.pausedSince)) / 1000 : 0;
      if (d.paused && since >= config.pausedDegradedSeconds) reasons.push(`database ${d.name} paused for ${Math.round(since)} s`);
    }
    if (file.problem) reasons.push(file.problem);
    last = { health: reasons.length > 0 ? "DEGRADED" : "UP", reasons: reasons.slice(0, 50), pgbouncer: status };
    return last;
  }

  /** The pool modes that serve `database` (or every database), from SHOW CONFIG and SHOW POOLS. */
  async function refuseUnlessTransaction(database: string | undefined): Promise<void> {
    const [settings, pools] = await admin(["SHOW CONFIG", "SHOW POOLS"]);
    const global = str(settings!.find((r) => r.key === "pool_mode")?.value, 20);
    const modes = new Set([global]);
    for (const p of poolsOf(pools!)) if (p.database !== ADMIN_DB && (!database || p.database === database)) modes.add(p.poolMode);
    const other = [...modes].filter((m) => m !== "transaction");
    if (other.length > 0) {
      throw new ActionError(
        409,
        `pool_mode ${other.join(", ")} on ${at}: refusing to pause (in session mode PAUSE waits for clients to disconnect); needs transaction`,
      );
    }
  }

  async function pause(database: string | undefined, timeoutMs: number) {
    await refuseUnlessTransaction(database);
    const command = database ? `PAUSE ${ident(database)}` : "PAUSE";
    const started = Date.now();
    try {
      await admin([command], timeoutMs);
    } catch (error) {
      // Still waiting for a transaction to end: undo rather than hold every client for as long as that one takes.
      await admin([database ? `RESUME ${ident(database)}` : "RESUME"]).catch(() => {});
      throw new ActionError(
        409,
        `PAUSE${database ? ` ${database}` : ""} did not complete within ${timeoutMs} ms (${(error as Error).message}); resumed, nothing is held`,
      );
    }
    // Without a name every database is paused: the next collect dates each one.
    if (database && !pausedSince.has(database)) pausedSince.set(database, new Date());
    return { paused: true, database: database ?? null, waitedMs: Date.now() - started };
  }

  async function retarget(database: string, host: string, port: number) {
    let before: string;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      [before, info] = await Promise.all([readFile(config.configFile, "utf8"), stat(config.configFile)]);
    } catch (error) {
      throw new ActionError(502, `cannot read ${config.configFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    let edit: ReturnType<typeof retargetDatabase>;
    try {
      edit = retargetDatabase(before, database, host, port);
    } catch (error) {
      if (error instanceof IniEditError) throw new ActionError(409, `${config.configFile}: ${error.message}`);
      throw error;
    }
    // Same owner and mode as before: PgBouncer runs as its own user and must still read it.
    const keep = (content: string) => writeAtomically(config.configFile, content, Number(info.mode) & 0o7777, { uid: Number(info.uid), gid: Number(info.gid) });
    if (edit.changed) await keep(edit.content);
    try {
      await admin(["RELOAD"]);
    } catch (error) {
      if (edit.changed) await keep(before).catch(() => {});
      throw new ActionError(502, `RELOAD failed on ${at} (${(error as Error).message}); ${config.configFile} was put back`);
    }
    const [rows] = await admin(["SHOW DATABASES"]);
    const now = rows!.find((r) => r.name === database);
    const running = { host: typeof now?.host === "string" ? now.host : null, port: now ? num(now.port) : null };
    if (running.host !== host || running.port !== port) {
      throw new ActionError(502, `after RELOAD PgBouncer runs ${database} at ${running.host}:${running.port}, not ${host}:${port} (see its log)`);
    }
    return { database, before: edit.before, after: { host, port }, changed: edit.changed, reloaded: true };
  }

  async function act(action: AgentAction): Promise<unknown> {
    try {
      if (action.action === "pgbouncer.pause") return await pause(action.database, action.timeoutMs);
      if (action.action === "pgbouncer.resume") {
        await admin([action.database ? `RESUME ${ident(action.database)}` : "RESUME"]);
        for (const name of action.database ? [action.database] : [...pausedSince.keys()]) pausedSince.delete(name);
        return { resumed: true, database: action.database ?? null };
      }
      if (action.action === "pgbouncer.retarget") return await retarget(action.database, action.host, action.port);
    } catch (error) {
      if (error instanceof ActionError) throw error;
      throw new ActionError(502, `${action.action} on ${at} failed: ${(error as Error).message}`);
    }
    throw new ActionError(422, `the pgbouncer driver does not take ${action.action}`);
  }

  function metrics(registry: Registry): void {
    const p = last && "pgbouncer" in last ? last.pgbouncer : null;
    if (!p) return;
    const labels = (x: PgbouncerPool) => ({ database: x.database, user: x.user });
    family(registry, "clusterdeck_pgbouncer_pools", "gauge", "Pools PgBouncer runs (database and user pairs, the admin console's left out).", p.pools.length);
    family(
      registry,
      "clusterdeck_pgbouncer_clients_active",
      "gauge",
      "Per pool: clients linked to a server or idle between transactions.",
      p.pools.map((x) => ({ labels: labels(x), value: x.clientsActive })),
    );
    family(
      registry,
      "clusterdeck_pgbouncer_clients_waiting",
      "gauge",
      "Per pool: clients waiting for a server (all new queries while paused).",
      p.pools.map((x) => ({ labels: labels(x), value: x.clientsWaiting })),
    );
    family(
      registry,
      "clusterdeck_pgbouncer_max_wait_seconds",
      "gauge",
      "Per pool: how long the oldest waiting client has waited.",
      p.pools.map((x) => ({ labels: labels(x), value: x.maxWaitSeconds })),
    );
    family(
      registry,
      "clusterdeck_pgbouncer_servers_active",
      "gauge",
      "Per pool: server connections linked to a client.",
      p.pools.map((x) => ({ labels: labels(x), value: x.serversActive })),
    );
    family(
      registry,
      "clusterdeck_pgbouncer_servers_idle",
      "gauge",
      "Per pool: server connections ready for a client.",
      p.pools.map((x) => ({ labels: labels(x), value: x.serversIdle })),
    );
    family(
      registry,
      "clusterdeck_pgbouncer_database_paused",
      "gauge",
      "1 while the database is paused.",
      p.databases.map((d) => ({ labels: { database: d.name }, value: d.paused ? 1 : 0 })),
    );
  }

  return { role: "pgbouncer", collect, act: (action: AgentAction) => act(action), metrics, async close() {} };
}
