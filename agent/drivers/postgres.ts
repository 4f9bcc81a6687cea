// The postgres role driver: replication status of one PostgreSQL (15+) server,
// primary or replica, from one SQL round trip per collection.
//
// Collecting needs a role with pg_monitor (pg_stat_replication and
// pg_stat_wal_receiver in full, pg_control_checkpoint()). The actions and the
// managed settings need a superuser: pg_promote() (promote), ALTER SYSTEM and
// pg_reload_conf() (fence, repoint, and config apply in managed/postgres.ts),
// pg_terminate_backend() on other roles' sessions (fence). Stopping and
// rebuilding the server go through pg_ctl, pg_rewind and pg_basebackup
// (postgres-control.ts, postgres-rebuild.ts),
// from the `stop` section (as `runAs` when the agent runs as root).
//
// How the figures are derived, and why:
// - timeline. Primary: the first 8 hex digits of pg_walfile_name(pg_current_wal_lsn()),
//   i.e. the timeline WAL is being written on now. Not pg_control_checkpoint():
//   that is the timeline of the last checkpoint, and right after pg_promote()
//   it still shows the old timeline until the (spread) post-promotion checkpoint
//   ends — seen here as 1 while new WAL was already on timeline 2. Replica:
//   pg_walfile_name() is refused during recovery, so pg_stat_wal_receiver's
//   received_tli (the timeline it streams) while a WAL receiver runs, else the
//   last restartpoint's timeline from pg_control_checkpoint() (a lower bound).
// - LSNs. Primary: currentLsn = pg_current_wal_lsn(); received/replayed are null
//   (after a promotion pg_last_wal_*_lsn() keep their stale standby values).
//   Replica: received = pg_last_wal_receive_lsn(), replayed = pg_last_wal_replay_lsn(),
//   currentLsn null.
// - lagBytes (replica): how far replay is behind the newest WAL position it knows
//   the primary has: greatest(pg_stat_wal_receiver.latest_end_lsn — the sender's
//   end of WAL in its last message — , received) − replayed. Without a WAL
//   receiver that is only received − replayed (the primary may be further ahead).
//   Primary: null; each replica's lag is in replicas[] (current − replay_lsn).
// - lagSeconds (replica): 0 when lagBytes is 0 — an idle primary sends no
//   transactions, so now() − pg_last_xact_replay_timestamp() would grow forever
//   without any real lag. Otherwise now() − pg_last_xact_replay_timestamp()
//   (a commit time stamped by the primary's clock), capped by the time since this
//   driver last saw the replica caught up: after a long idle spell the first new
//   transaction would otherwise read as hours of lag. Null when the WAL receiver
//   is not streaming (how far the primary got is then unknown), or when neither
//   bound is known yet (no transaction replayed since the replica started, and
//   not seen caught up). Primary: null.
// - replicas[] (a primary's, or a cascading replica's, standbys): pg_stat_replication
//   with the slot each streams through; slots and WAL archiving: postgres-wal.ts.
import { z } from "zod";
import pg from "pg";
import type { AgentAction, PostgresStatus } from "@/lib/agent-protocol/types";
import type { Registry } from "prom-client";
import { family } from "../prom";
import { ActionError, type Driver, type DriverReport } from "./types";
import { postgresConfigManager } from "../managed/postgres";
import { replaceHostPort, stopServer } from "./postgres-control";
import { rebuild } from "./postgres-rebuild";
import { dropLeftoverSlots, keepSlots } from "./postgres-slots";
import { isoOf, walMetrics, walReasons, walStatusOf, type WalRow } from "./postgres-wal";

const configSchema = z.strictObject({
  /** postgresql://user:password@host:port/db of the server this agent watches. */
  url: z
    .string()
    .max(2000)
    .refine((u) => /^postgres(ql)?:\/\//.test(u), "must be a postgresql:// URL"),
  /** Connect and statement timeout, per query. */
  timeoutMs: z.number().int().min(100).max(60_000).default(3000),
  /**
   * How the agent may stop the server when it fences it (after a failover):
   * pg_ctl and the data directory, run as `runAs` when the agent is root.
   * Without it a fence makes the server read-only and ends client sessions.
   */
  stop: z
    .strictObject({
      pgCtl: z.string().min(1).max(4096),
      dataDir: z.string().min(1).max(4096),
      runAs: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]*$/)
        .optional(),
    })
    .optional(),
});
export type PostgresDriverConfig = z.input<typeof configSchema>;

const STATUS_SQL = `
WITH s AS (SELECT pg_is_in_recovery() AS rec)
SELECT
  s.rec AS in_recovery,
  extract(epoch FROM clock_timestamp())::float8 AS db_now,
  CASE WHEN NOT s.rec THEN pg_current_wal_lsn()::text END AS current_lsn,
  CASE WHEN NOT s.rec THEN pg_walfile_name(pg_current_wal_lsn()) END AS walfile,
  CASE WHEN s.rec THEN pg_last_wal_receive_lsn()::text END AS received_lsn,
  CASE WHEN s.rec THEN pg_last_wal_replay_lsn()::text END AS replayed_lsn,
  CASE WHEN s.rec THEN pg_get_wal_replay_pause_state() END AS pause_state,
  CASE WHEN s.rec THEN extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END AS replay_age,
  CASE WHEN s.rec THEN pg_wal_lsn_diff(GREATEST(r.latest_end_lsn, pg_last_wal_receive_lsn()), pg_last_wal_replay_lsn())::float8 END AS lag_bytes,
  (pg_control_checkpoint()).timeline_id AS checkpoint_tli,
  r.status AS receiver_status,
  r.received_tli,
  current_setting('synchronous_standby_names') AS sync_names,
  current_setting('synchronous_commit') AS sync_commit,
  (SELECT coalesce(json_agg(json_build_object(
      'application_name', x.application_name,
      'client_addr', host(x.client_addr),
      'state', x.state,
      'sync_state', x.sync_state,
      'sync_priority', x.sync_priority,
      'sent_lsn', x.sent_lsn::text,
      'write_lsn', x.write_lsn::text,
      'flush_lsn', x.flush_lsn::text,
      'replay_lsn', x.replay_lsn::text,
      'write_lag', extract(epoch FROM x.write_lag)::float8,
      'flush_lag', extract(epoch FROM x.flush_lag)::float8,
      'replay_lag', extract(epoch FROM x.replay_lag)::float8,
      'backend_start', extract(epoch FROM x.backend_start)::float8,
      'slot_name', sl.slot_name,
      'lag_bytes', CASE WHEN s.rec THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), x.replay_lsn)
                        ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), x.replay_lsn) END
    ) ORDER BY x.application_name, x.pid), '[]'::json)
   FROM pg_stat_replication x LEFT JOIN pg_replication_slots sl ON sl.active_pid = x.pid) AS replicas,
  (SELECT coalesce(json_agg(json_build_object(
      'slot_name', sl.slot_name,
      'slot_type', sl.slot_type,
      'temporary', sl.temporary,
      'active', sl.active,
      'active_pid', sl.active_pid,
      'restart_lsn', sl.restart_lsn::text,
      'wal_status', sl.wal_status,
      'safe_wal_size', sl.safe_wal_size::float8,
      'retained_bytes', pg_wal_lsn_diff(
          CASE WHEN s.rec THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END,
          sl.restart_lsn)::float8
    ) ORDER BY sl.slot_name), '[]'::json)
   FROM pg_replication_slots sl) AS slots,
  (SELECT CASE WHEN setting::bigint < 0 THEN -1 ELSE setting::float8 * 1024 * 1024 END
   FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS max_slot_wal_keep_size,
  nullif(current_setting('primary_slot_name'), '') AS primary_slot_name,
  current_setting('archive_mode') AS archive_mode,
  -- archive_command reads '(disabled)' while archive_mode is off.
  current_setting('archive_command') NOT IN ('', '(disabled)') OR current_setting('archive_library') <> '' AS archive_configured,
  (SELECT json_build_object(
      'archived_count', a.archived_count,
      'last_archived_wal', a.last_archived_wal,
      'last_archived_time', extract(epoch FROM a.last_archived_time)::float8,
      'failed_count', a.failed_count,
      'last_failed_wal', a.last_failed_wal,
      'last_failed_time', extract(epoch FROM a.last_failed_time)::float8)
   FROM pg_stat_archiver a) AS archiver
FROM s LEFT JOIN pg_stat_wal_receiver r ON true`;

interface StatusRow {
  in_recovery: boolean;
  db_now: number;
  current_lsn: string | null;
  walfile: string | null;
  received_lsn: string | null;
  replayed_lsn: string | null;
  pause_state: string | null;
  replay_age: number | null;
  lag_bytes: number | null;
  checkpoint_tli: number | null;
  receiver_status: string | null;
  received_tli: number | null;
  sync_names: string;
  sync_commit: string;
  replicas: {
    application_name: string | null;
    client_addr: string | null;
    state: string | null;
    sync_state: string | null;
    sync_priority: number | null;
    sent_lsn: string | null;
    write_lsn: string | null;
    flush_lsn: string | null;
    replay_lsn: string | null;
    write_lag: number | null;
    flush_lag: number | null;
    replay_lag: number | null;
    backend_start: number | null;
    slot_name: string | null;
    lag_bytes: number | string | null;
  }[];
}

type FullStatusRow = StatusRow & WalRow;

const clamp = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const nonNegative = (v: number | string | null | undefined): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.max(0, n) : null;
};

/** host:port of the URL, for messages: never the credentials. */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return "the configured server";
  }
}

export function createPostgresDriver(rawConfig: unknown): Driver {
  const parsed = configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`invalid postgres driver config: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const endpoint = endpointOf(config.url);
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 2,
    connectionTimeoutMillis: config.timeoutMs,
    statement_timeout: config.timeoutMs,
    query_timeout: config.timeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    application_name: "clusterdeck-agent",
  });
  // An idle pooled connection dies with its server; the next query reports it.
  pool.on("error", () => {});
  let last: DriverReport | null = null;
  /** Database clock (epoch s) when this driver last saw the replica with nothing left to replay. */
  let caughtUpAt: number | null = null;

  async function readStatus(): Promise<FullStatusRow> {
    try {
      return (await pool.query<FullStatusRow>(STATUS_SQL)).rows[0]!;
    } catch (error) {
      // Once more on a fresh connection: a pooled one may predate a server
      // restart, and a promotion between the calls above fails them (55000).
      // Not after a timeout: a hung server would then cost twice the budget.
      const e = error as { code?: string; message?: string };
      if (e.code === "57014" || /timeout/i.test(e.message ?? "")) throw error;
      return (await pool.query<FullStatusRow>(STATUS_SQL)).rows[0]!;
    }
  }

  async function collect(): Promise<DriverReport> {
    let row: FullStatusRow;
    try {
      row = await readStatus();
    } catch (error) {
      caughtUpAt = null;
      const message = error instanceof Error ? error.message || error.name : String(error);
      last = {
        health: "DOWN",
        reasons: [clamp(`cannot reach PostgreSQL at ${endpoint}: ${message}`, 300)],
        postgres: {
          inRecovery: false,
          timeline: null,
          currentLsn: null,
          receivedLsn: null,
          replayedLsn: null,
          lagBytes: null,
          lagSeconds: null,
          replayPaused: false,
          walReceiverStatus: null,
          replicas: [],
        },
      };
      return last;
    }

    const replicas: PostgresStatus["replicas"] = row.replicas.slice(0, 100).map((r) => ({
      applicationName: clamp(r.application_name ?? "", 100),
      clientAddr: r.client_addr === null ? null : clamp(r.client_addr, 100),
      state: clamp(r.state ?? "", 40),
      syncState: clamp(r.sync_state ?? "", 40),
      sentLsn: r.sent_lsn,
      replayLsn: r.replay_lsn,
      lagBytes: nonNegative(r.lag_bytes),
      writeLsn: r.write_lsn,
      flushLsn: r.flush_lsn,
      writeLagSeconds: nonNegative(r.write_lag),
      flushLagSeconds: nonNegative(r.flush_lag),
      replayLagSeconds: nonNegative(r.replay_lag),
      syncPriority: r.sync_priority ?? 0,
      backendStart: isoOf(r.backend_start),
      slotName: r.slot_name === null ? null : clamp(r.slot_name, 64),
    }));
    const wal = walStatusOf(row);
    const reasons: string[] = [];
    let status: PostgresStatus;

    if (row.in_recovery) {
      const streaming = row.receiver_status === "streaming";
      const lagBytes = nonNegative(row.lag_bytes);
      let lagSeconds: number | null = null;
      if (!streaming) {
        caughtUpAt = null;
      } else if (lagBytes === 0) {
        lagSeconds = 0;
        caughtUpAt = row.db_now;
      } else {
        const sinceCaughtUp = caughtUpAt === null ? null : row.db_now - caughtUpAt;
        const bounds = [row.replay_age, sinceCaughtUp].filter((v): v is number => v !== null);
        lagSeconds = bounds.length > 0 ? Math.max(0, Math.min(...bounds)) : null;
      }
      const paused = row.pause_state !== null && row.pause_state !== "not paused";
      status = {
        inRecovery: true,
        timeline: row.received_tli ?? row.checkpoint_tli,
        currentLsn: null,
        receivedLsn: row.received_lsn,
        replayedLsn: row.replayed_lsn,
        lagBytes,
        lagSeconds,
        replayPaused: paused,
        walReceiverStatus: row.receiver_status === null ? null : clamp(row.receiver_status, 40),
        replicas,
        syncStandbyNames: row.sync_names,
        ...wal,
      };
      if (!streaming) {
        reasons.push(
          row.receiver_status === null
            ? "WAL receiver not running: not streaming from the primary"
            : `WAL receiver not streaming (status: ${clamp(row.receiver_status, 40)})`,
        );
      }
      if (paused) reasons.push(`WAL replay paused (${row.pause_state})`);
    } else {
      caughtUpAt = null;
      const tli = row.walfile ? Number.parseInt(row.walfile.slice(0, 8), 16) : NaN;
      status = {
        inRecovery: false,
        timeline: Number.isFinite(tli) ? tli : row.checkpoint_tli,
        currentLsn: row.current_lsn,
        receivedLsn: null,
        replayedLsn: null,
        lagBytes: null,
        lagSeconds: null,
        replayPaused: false,
        walReceiverStatus: null,
        replicas,
        syncStandbyNames: row.sync_names,
        ...wal,
      };
      const waitsForStandby = ["on", "remote_apply", "remote_write"].includes(row.sync_commit);
      if (row.sync_names.trim() !== "" && waitsForStandby && !replicas.some((r) => r.syncState === "sync" || r.syncState === "quorum")) {
        reasons.push("synchronous_standby_names is set but no synchronous standby is connected: commits are waiting");
      }
    }
    reasons.push(...walReasons(status));
    last = { health: reasons.length > 0 ? "DEGRADED" : "UP", reasons, postgres: status };
    return last;
  }

  function metrics(registry: Registry): void {
    if (!last || !("postgres" in last)) return;
    const p = last.postgres;
    const up = last.health !== "DOWN";
    family(registry, "clusterdeck_postgres_up", "gauge", "1 when PostgreSQL answered the last collection.", up ? 1 : 0);
    if (!up) return;
    const optional = (name: string, help: string, value: number | null) => {
      if (value !== null) family(registry, name, "gauge", help, value);
    };
    family(registry, "clusterdeck_postgres_in_recovery", "gauge", "1 on a replica (in recovery), 0 on a primary.", p.inRecovery ? 1 : 0);
    optional("clusterdeck_postgres_timeline", "Timeline the server writes (primary) or streams (replica).", p.timeline);
    optional("clusterdeck_postgres_replication_lag_bytes", "Replica: bytes of WAL not yet replayed.", p.lagBytes);
    optional("clusterdeck_postgres_replication_lag_seconds", "Replica: seconds replay is behind (0 when caught up).", p.lagSeconds);
    if (p.inRecovery) {
      family(registry, "clusterdeck_postgres_wal_replay_paused", "gauge", "Replica: 1 when WAL replay is paused.", p.replayPaused ? 1 : 0);
      family(
        registry,
        "clusterdeck_postgres_wal_receiver_streaming",
        "gauge",
        "Replica: 1 when the WAL receiver is streaming.",
        p.walReceiverStatus === "streaming" ? 1 : 0,
      );
    }
    family(registry, "clusterdeck_postgres_replicas", "gauge", "Standbys connected to this server (pg_stat_replication rows).", p.replicas.length);
    family(
      registry,
      "clusterdeck_postgres_replicas_streaming",
      "gauge",
      "Connected standbys in state streaming.",
      p.replicas.filter((r) => r.state === "streaming").length,
    );
    const lagging = p.replicas.filter((r) => r.lagBytes !== null);
    if (lagging.length > 0) {
      family(
        registry,
        "clusterdeck_postgres_replica_lag_bytes",
        "gauge",
        "Per connected standby: bytes between this server's WAL position and the standby's replay position.",
        lagging.map((r) => ({ labels: { application_name: r.applicationName, client_addr: r.clientAddr ?? "" }, value: r.lagBytes! })),
      );
    }
    const timed = p.replicas.filter((r) => r.replayLagSeconds !== null && r.replayLagSeconds !== undefined);
    if (timed.length > 0) {
      family(
        registry,
        "clusterdeck_postgres_replica_replay_lag_seconds",
        "gauge",
        "Per connected standby: pg_stat_replication.replay_lag in seconds (absent once it is idle and caught up).",
        timed.map((r) => ({ labels: { application_name: r.applicationName, client_addr: r.clientAddr ?? "" }, value: r.replayLagSeconds! })),
      );
    }
    walMetrics(registry, p);
  }

  /**
   * One connection for an action's queries. Quick actions (fence, re-point)
   * borrow a pooled one, already authenticated: a failover is counted in
   * milliseconds; if it turns out dead (the server restarted since) they use a
   * fresh one. Long ones (pg_promote, up to a minute) get a fresh connection
   * with their own timeouts.
   */
  async function withClient<T>(
    fn: (q: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T>,
    longTimeoutMs?: number,
  ): Promise<T> {
    const run = async (client: pg.ClientBase) => fn(async (sql, params = []) => (await client.query(sql, params)).rows);
    if (longTimeoutMs === undefined) {
      const pooled = await pool.connect().catch(() => null);
      if (pooled) {
        try {
          await pooled.query("SELECT 1");
        } catch {
          pooled.release(true);
          return withFresh(run, config.timeoutMs);
        }
        try {
          return await run(pooled);
        } finally {
          pooled.release();
        }
      }
    }
    return withFresh(run, longTimeoutMs ?? config.timeoutMs);
  }

  async function withFresh<T>(run: (client: pg.ClientBase) => Promise<T>, timeoutMs: number): Promise<T> {
    const client = new pg.Client({
      connectionString: config.url,
      connectionTimeoutMillis: config.timeoutMs,
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs + 1000,
    });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  async function act(action: AgentAction): Promise<unknown> {
    try {
      if (action.action === "postgres.promote") {
        return await withClient(
          async (q) => {
            const [state] = await q<{ rec: boolean }>("SELECT pg_is_in_recovery() AS rec");
            if (!state!.rec) throw new ActionError(409, `${endpoint} is not a replica (not in recovery): nothing to promote`);
            const [r] = await q<{ ok: boolean }>("SELECT pg_promote(true, $1) AS ok", [action.waitSeconds]);
            if (!r!.ok) throw new ActionError(502, `pg_promote() did not finish within ${action.waitSeconds} s`);
            const [after] = await q<{ rec: boolean; lsn: string; walfile: string }>(
              "SELECT pg_is_in_recovery() AS rec, pg_current_wal_lsn()::text AS lsn, pg_walfile_name(pg_current_wal_lsn()) AS walfile",
            );
            if (after!.rec) throw new ActionError(502, "still in recovery after pg_promote()");
            return { promoted: true, inRecovery: false, timeline: Number.parseInt(after!.walfile.slice(0, 8), 16), lsn: after!.lsn };
          },
          action.waitSeconds * 1000 + 5000,
        );
      }
      if (action.action === "postgres.fence") {
        const result = await withClient(async (q) => {
          await q("ALTER SYSTEM SET default_transaction_read_only = on");
          await q("SELECT pg_reload_conf()");
          // Sessions opened before the reload keep writing until they end: end them.
          const ended = await q<{ n: string }>(
            "SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
          );
          // Every write a client was told is committed lies before this position:
          // a switchover waits for the candidate to replay up to it.
          const [end] = await q<{ lsn: string | null }>("SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_insert_lsn()::text END AS lsn");
          return { readOnly: true, sessionsEnded: Number(ended[0]?.n ?? 0), lastLsn: end?.lsn ?? null, canStop: config.stop !== undefined };
        });
        let stopped = false;
        if (config.stop && action.stop) {
          await stopServer(config.stop);
          stopped = true;
        }
        return { ...result, stopped };
      }
      if (action.action === "postgres.wait-replay") {
        return await withClient(async (q) => {
          const deadline = Date.now() + action.timeoutMs;
          for (;;) {
            const [r] = await q<{ rec: boolean; replayed: string | null; ok: boolean | null }>(
              "SELECT pg_is_in_recovery() AS rec, pg_last_wal_replay_lsn()::text AS replayed, pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok",
              [action.lsn],
            );
            if (!r!.rec) throw new ActionError(409, `${endpoint} is not a replica (not in recovery): nothing to wait for`);
            if (r!.ok) return { caughtUp: true, replayedLsn: r!.replayed };
            if (Date.now() >= deadline) return { caughtUp: false, replayedLsn: r!.replayed };
            await new Promise((done) => setTimeout(done, 10));
          }
        });
      }
      if (action.action === "postgres.unfence") {
        return await withClient(async (q) => {
          const [state] = await q<{ rec: boolean }>("SELECT pg_is_in_recovery() AS rec");
          if (state!.rec) throw new ActionError(409, `${endpoint} is a replica: there is no fence to lift`);
          await q("ALTER SYSTEM RESET default_transaction_read_only");
          await q("SELECT pg_reload_conf()");
          return { readOnly: false };
        });
      }
      if (action.action === "postgres.rebuild") {
        if (!config.stop) throw new ActionError(409, "rebuilding needs the agent's postgres.stop section (pg_ctl, data directory, OS user)");
        return await rebuild(config.stop, config.url, { host: action.host, port: action.port, slot: action.slot, applicationName: action.applicationName });
      }
      if (action.action === "postgres.repoint") {
        return await withClient(async (q) => {
          const [state] = await q<{ rec: boolean; conninfo: string }>("SELECT pg_is_in_recovery() AS rec, current_setting('primary_conninfo') AS conninfo");
          if (!state!.rec) throw new ActionError(409, `${endpoint} is a primary: only a replica follows another primary`);
          await q(`ALTER SYSTEM SET primary_conninfo = ${pg.escapeLiteral(replaceHostPort(state!.conninfo, action.host, action.port))}`);
          if (action.slot) await q(`ALTER SYSTEM SET primary_slot_name = ${pg.escapeLiteral(action.slot)}`);
          await q("SELECT pg_reload_conf()");
          return { repointed: true, primary: `${action.host}:${action.port}`, slot: action.slot ?? null };
        });
      }
      if (action.action === "postgres.sync-standbys") {
        return await withClient(async (q) => {
          const [now] = await q<{ value: string }>("SELECT current_setting('synchronous_standby_names') AS value");
          if (now!.value === action.value) return { changed: false, value: action.value };
          // Through ALTER SYSTEM, outside the managed settings: the value differs per role, which one revision for every member cannot say.
          await q(
            action.value === ""
              ? "ALTER SYSTEM RESET synchronous_standby_names"
              : `ALTER SYSTEM SET synchronous_standby_names = ${pg.escapeLiteral(action.value)}`,
          );
          await q("SELECT pg_reload_conf()");
          return { changed: true, value: action.value };
        });
      }
      if (action.action === "postgres.slots") return await withClient((q) => keepSlots(q, endpoint, action.keep, action.maxWalKeepMb));
      if (action.action === "postgres.use-slot") {
        return await withClient(async (q) => {
          const [state] = await q<{ rec: boolean; slot: string }>("SELECT pg_is_in_recovery() AS rec, current_setting('primary_slot_name') AS slot");
          if (!state!.rec) throw new ActionError(409, `${endpoint} is a primary: only a replica streams through a slot`);
          const leftovers = await dropLeftoverSlots(q);
          if (state!.slot === action.slot) return { changed: false, slot: action.slot, leftoversDropped: leftovers };
          // The WAL receiver restarts with the new slot on reload (PostgreSQL 13+).
          await q(`ALTER SYSTEM SET primary_slot_name = ${pg.escapeLiteral(action.slot)}`);
          await q("SELECT pg_reload_conf()");
          return { changed: true, slot: action.slot, leftoversDropped: leftovers };
        });
      }
    } catch (error) {
      if (error instanceof ActionError) throw error;
      throw new ActionError(502, `${action.action} on ${endpoint} failed: ${(error as Error).message}`);
    }
    throw new ActionError(422, `the postgres driver does not take ${action.action}`);
  }

  return {
    role: "postgres",
    config: postgresConfigManager((sql, params) => pool.query(sql, params)),
    collect,
    act: (action: AgentAction) => act(action),
    metrics,
    async close() {
      await pool.end().catch(() => {});
    },
  };
}
