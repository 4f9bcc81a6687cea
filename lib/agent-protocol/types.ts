// What agents report and accept. The agent builds these; the worker parses
// them with the same schemas, so a garbled or hostile answer is refused
// rather than stored.
import { z } from "zod";
import { consoleSlotName } from "./postgres-slots";
import { syncStandbyNames } from "./sync-standbys";

export const agentRoles = ["app", "haproxy", "postgres", "pgbouncer"] as const;
export type AgentRole = (typeof agentRoles)[number];

export const agentHealth = z.enum(["UP", "DEGRADED", "DOWN"]);
export type AgentHealth = z.infer<typeof agentHealth>;

const count = z.number().int().nonnegative();
const maybe = <T extends z.ZodType>(t: T) => t.nullable();

export const backendProbe = z.object({
  name: z.string().max(100),
  target: z.string().max(300),
  up: z.boolean(),
  latencyMs: maybe(z.number().nonnegative()),
  error: z.string().max(300).optional(),
});

export const appStatus = z.object({
  sessions: count,
  requestRate: z.number().nonnegative(),
  latencyMs: maybe(z.number().nonnegative()),
  errorRate: z.number().nonnegative(),
  draining: z.boolean(),
  backends: z.array(backendProbe).max(100),
});

/**
 * What went wrong on a server or backend since HAProxy's worker started (`show stat`):
 * connections that failed (econ), responses that did not come or were cut (eresp),
 * retries and redispatches to another server (wretr, wredis), 5xx answers (hrsp_5xx).
 */
export const haproxyErrors = z.object({ connect: count, response: count, retries: count, redispatches: count, http5xx: count });

/** Requests per second from the agent's two latest collections (`req_tot` deltas); null: no figure yet, or counters reset. */
const requestRate = z.number().nonnegative().nullable();

export const haproxyServer = z.object({
  backend: z.string().max(100),
  name: z.string().max(100),
  address: z.string().max(300),
  /** HAProxy's own word: UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3", … */
  status: z.string().max(40),
  adminState: z.enum(["READY", "DRAIN", "MAINT"]),
  weight: count,
  sessions: count,
  totalSessions: count,
  rate: z.number().nonnegative(),
  checkStatus: z.string().max(40),
  // Below: the stats page's figures (absent from agents before them).
  maxSessions: count.optional(),
  requestRate: requestRate.optional(),
  /** How long the last check took (check_duration), ms; null when there was none. */
  checkDurationMs: count.nullable().optional(),
  /** The last check's answer or error (last_chk, else check_desc). */
  checkDetail: z.string().max(200).optional(),
  /** Seconds since the status last changed (lastchg). */
  sinceChangeSeconds: count.nullable().optional(),
  errors: haproxyErrors.optional(),
});

export const haproxyBackend = z.object({
  name: z.string().max(100),
  status: z.string().max(40),
  sessions: count,
  maxSessions: count,
  requestRate,
  /** Sum of its servers' effective weights. */
  weight: count,
  errors: haproxyErrors,
});

export const haproxyFrontend = z.object({
  name: z.string().max(100),
  sessions: count,
  /** New connections per second (`rate`): not requests under keep-alive. */
  rate: z.number().nonnegative(),
  maxSessions: count.optional(),
  requestRate: requestRate.optional(),
});

export const haproxyStatus = z.object({
  version: z.string().max(40).nullable(),
  servers: z.array(haproxyServer).max(10_000),
  frontends: z.array(haproxyFrontend).max(1000),
  backends: z.array(haproxyBackend).max(1000).optional(),
  /** sha256 of the configuration file the agent finds on disk (drift detection). */
  configChecksum: z.string().max(80).nullable(),
  /** pid of the HAProxy worker serving now: a new one means a reload or restart (runtime state reset). */
  workerPid: z.number().int().positive().nullable().optional(),
});

/** One row of pg_replication_slots, with how much WAL it holds back. */
export const replicationSlot = z.object({
  name: z.string().max(64),
  type: z.string().max(20),
  temporary: z.boolean(),
  active: z.boolean(),
  activePid: maybe(z.number().int()),
  restartLsn: maybe(z.string().max(40)),
  /** reserved | extended | unreserved (lost at the next checkpoint) | lost (its replica can no longer follow); null before it reserved WAL. */
  walStatus: maybe(z.string().max(20)),
  /** Bytes that can still be written before the slot is over max_slot_wal_keep_size (negative once over; null when unlimited). */
  safeWalSize: maybe(z.number()),
  /** WAL the slot keeps: the server's current (primary) or received (replica) position − restart_lsn. */
  retainedBytes: maybe(z.number().nonnegative()),
});
export type ReplicationSlot = z.infer<typeof replicationSlot>;

/** pg_stat_archiver and the settings that make archiving happen. */
export const archiverStatus = z.object({
  /** archive_mode: off | on | always. */
  mode: z.string().max(20),
  /** archive_command or archive_library is set. */
  configured: z.boolean(),
  archivedCount: count,
  lastArchivedWal: maybe(z.string().max(100)),
  lastArchivedAt: maybe(z.iso.datetime()),
  failedCount: count,
  lastFailedWal: maybe(z.string().max(100)),
  lastFailedAt: maybe(z.iso.datetime()),
  /** The last attempt failed: a failure newer than the last success. */
  failing: z.boolean(),
});
export type ArchiverStatus = z.infer<typeof archiverStatus>;

export const postgresStatus = z.object({
  inRecovery: z.boolean(),
  timeline: maybe(z.number().int()),
  currentLsn: maybe(z.string().max(40)),
  receivedLsn: maybe(z.string().max(40)),
  replayedLsn: maybe(z.string().max(40)),
  lagBytes: maybe(z.number().nonnegative()),
  lagSeconds: maybe(z.number().nonnegative()),
  replayPaused: z.boolean(),
  walReceiverStatus: maybe(z.string().max(40)),
  replicas: z
    .array(
      z.object({
        applicationName: z.string().max(100),
        clientAddr: maybe(z.string().max(100)),
        state: z.string().max(40),
        syncState: z.string().max(40),
        sentLsn: maybe(z.string().max(40)),
        replayLsn: maybe(z.string().max(40)),
        lagBytes: maybe(z.number().nonnegative()),
        // Optional from here on: an agent of the previous release does not send
        // them, and its snapshots must still be read during a rolling upgrade.
        writeLsn: maybe(z.string().max(40)).optional(),
        flushLsn: maybe(z.string().max(40)).optional(),
        /** pg_stat_replication's write_lag, flush_lag, replay_lag in seconds (null once the standby is idle and caught up). */
        writeLagSeconds: maybe(z.number().nonnegative()).optional(),
        flushLagSeconds: maybe(z.number().nonnegative()).optional(),
        replayLagSeconds: maybe(z.number().nonnegative()).optional(),
        syncPriority: z.number().int().optional(),
        backendStart: maybe(z.iso.datetime()).optional(),
        /** The replication slot the standby streams through (pg_replication_slots.active_pid = its pid). */
        slotName: maybe(z.string().max(64)).optional(),
      }),
    )
    .max(100),
  /** This server's replication slots (pg_replication_slots). */
  slots: z.array(replicationSlot).max(100).optional(),
  /** max_slot_wal_keep_size in bytes; -1 = unlimited (a dead replica's slot keeps WAL until the disk is full). */
  maxSlotWalKeepSize: z.number().int().min(-1).nullable().optional(),
  /** Replica: primary_slot_name, the slot it asks its primary for (null when none). */
  primarySlotName: maybe(z.string().max(64)).optional(),
  archiver: archiverStatus.nullable().optional(),
  /** synchronous_standby_names as the server runs it (set by the console per role). */
  syncStandbyNames: z.string().max(8000).optional(),
});

/** One PgBouncer pool (SHOW POOLS: a database and user pair). */
export const pgbouncerPool = z.object({
  database: z.string().max(100),
  user: z.string().max(100),
  clientsActive: count,
  clientsWaiting: count,
  serversActive: count,
  serversIdle: count,
  serversUsed: count,
  /** How long the oldest waiting client has waited, in seconds (0 when none waits). */
  maxWaitSeconds: z.number().nonnegative(),
  poolMode: z.string().max(20),
});

/** One [databases] entry as PgBouncer runs it (SHOW DATABASES). */
export const pgbouncerDatabase = z.object({
  name: z.string().max(100),
  host: maybe(z.string().max(255)),
  port: maybe(z.number().int()),
  database: z.string().max(100),
  paused: z.boolean(),
  /** When the agent first saw it paused (this agent's clock); null while it is not. */
  pausedSince: maybe(z.iso.datetime()),
});

export const pgbouncerStatus = z.object({
  version: maybe(z.string().max(100)),
  /** SHOW CONFIG pool_mode: the agent manages only "transaction". */
  poolMode: maybe(z.string().max(20)),
  pools: z.array(pgbouncerPool).max(1000),
  databases: z.array(pgbouncerDatabase).max(1000),
  /** sha256 of the ini file the agent owns (drift detection). */
  configChecksum: maybe(z.string().max(80)),
});

export const hostStatus = z.object({
  cpu: z.number().min(0).max(1),
  memoryUsed: count,
  memoryTotal: count,
  load1: z.number().nonnegative(),
});

/** What an agent can manage for the console (lib/config describes each). */
export const configKinds = ["APP", "HAPROXY", "POSTGRES"] as const;
export type ConfigKind = (typeof configKinds)[number];
export const CONFIG_ROLE: Record<ConfigKind, AgentRole> = { APP: "app", HAPROXY: "haproxy", POSTGRES: "postgres" };

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 in lower-case hex");
export const MAX_CONFIG_BYTES = 512 * 1024;

/** One thing wrong with a candidate configuration; line is 1-based in the candidate's text. */
export const configProblem = z.object({ line: z.number().int().positive().nullable(), message: z.string().max(1000) });
export type ConfigProblem = z.infer<typeof configProblem>;

/** The managed configuration's state, in every snapshot (drift detection). */
export const configState = z.object({
  kind: z.enum(configKinds),
  checksum: sha256Hex.nullable(),
  problem: z.string().max(300).optional(),
});

/** Body of POST /v1/config/validate and /v1/config/apply: the text and its checksum, which must agree. */
export const configCandidate = z.strictObject({
  kind: z.enum(configKinds),
  content: z.string().max(MAX_CONFIG_BYTES),
  checksum: sha256Hex,
});
export type ConfigCandidate = z.infer<typeof configCandidate>;

/**
 * What an HAProxy agent accepts (lib/agent-protocol/haproxy/rules/): its own runtime
 * paths, which the console renders into the global section, and what its
 * host's owner allows beyond the safe set. Read by the console before it
 * renders or checks a revision, so the editor shows the agent's verdict.
 */
const agentPath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\x00-\x1f\x7f\s]*$/, "an absolute path without spaces or control characters");
export const haproxyAgentPolicy = z.object({
  runtime: z.object({ statsSocket: agentPath, pidFile: agentPath }),
  directives: z.array(z.string().min(1).max(100)).max(200),
  files: z.array(agentPath).max(200),
  linkLocal: z.boolean().optional(),
});
export type HaproxyAgentPolicy = z.infer<typeof haproxyAgentPolicy>;

export const configCurrentAnswer = z.object({
  kind: z.enum(configKinds),
  checksum: sha256Hex.nullable(),
  content: z.string().max(MAX_CONFIG_BYTES).nullable(),
  problem: z.string().max(300).optional(),
  /** HAProxy agents only. */
  policy: haproxyAgentPolicy.optional(),
});
export const configValidateAnswer = z.object({ ok: z.boolean(), problems: z.array(configProblem).max(200) });
export const configApplyAnswer = z.object({ ok: z.literal(true), checksum: sha256Hex });

export const snapshot = z.object({
  type: z.literal("snapshot"),
  seq: count,
  at: z.iso.datetime(),
  agent: z.object({ name: z.string().max(100), role: z.enum(agentRoles), version: z.string().max(40), startedAt: z.iso.datetime() }),
  health: agentHealth,
  /** Why the health is not UP, in words an operator reads. */
  reasons: z.array(z.string().max(300)).max(50),
  host: hostStatus,
  app: appStatus.optional(),
  haproxy: haproxyStatus.optional(),
  postgres: postgresStatus.optional(),
  pgbouncer: pgbouncerStatus.optional(),
  config: configState.optional(),
});

export type Snapshot = z.infer<typeof snapshot>;
export type AppStatus = z.infer<typeof appStatus>;
export type HaproxyStatus = z.infer<typeof haproxyStatus>;
export type HaproxyServer = z.infer<typeof haproxyServer>;
export type HaproxyBackend = z.infer<typeof haproxyBackend>;
export type HaproxyFrontend = z.infer<typeof haproxyFrontend>;
export type HaproxyErrors = z.infer<typeof haproxyErrors>;
export type PostgresStatus = z.infer<typeof postgresStatus>;
export type PgbouncerStatus = z.infer<typeof pgbouncerStatus>;
export type PgbouncerPool = z.infer<typeof pgbouncerPool>;
export type PgbouncerDatabase = z.infer<typeof pgbouncerDatabase>;
export type BackendProbe = z.infer<typeof backendProbe>;

const serverRef = {
  backend: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/),
  server: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/),
};

/**
 * A [databases] entry name as the agent lets the console name one: it reaches PgBouncer's
 * admin console (PAUSE "name") and the ini file, so no quotes, spaces or "=", and not the
 * admin console's own "pgbouncer" nor the "*" fallback.
 */
const pgbouncerDatabaseName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/, "a database name of A-Z a-z 0-9 _ . - (1-63 characters)")
  .refine((n) => n !== "pgbouncer", "the admin console's database is not a pool");

/** The longest an app holds writes: clients wait that long at most, even if nobody releases them. */
export const APP_HOLD_MAX_MS = 30_000;

/** Actions an agent carries out. Each driver accepts its own; others get 422. */
export const agentAction = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("app.drain") }),
  z.strictObject({ action: z.literal("app.resume") }),
  /** Ends the app's remaining sessions (a drain's escalation at its deadline). */
  z.strictObject({ action: z.literal("app.end-sessions") }),
  /** New writes wait (not refused) for up to `ms`, through a planned switchover; a write the switch breaks is retried after. */
  z.strictObject({ action: z.literal("app.hold-writes"), ms: z.number().int().min(1).max(APP_HOLD_MAX_MS) }),
  /** Held writes go on (to the primary the app now points at). */
  z.strictObject({ action: z.literal("app.release-writes") }),
  /** pg_promote() and wait: the replica becomes a primary on a new timeline. */
  z.strictObject({ action: z.literal("postgres.promote"), waitSeconds: z.number().int().min(1).max(300).default(60) }),
  /**
   * Makes a (former) primary refuse writes: read-only by default, client
   * sessions ended, and stopped when the agent may and `stop` asks for it (a
   * switchover stops it only once the candidate has replayed its last WAL).
   */
  z.strictObject({ action: z.literal("postgres.fence"), stop: z.boolean().default(true) }),
  /**
   * On a replica: wait (up to timeoutMs) until it has replayed WAL up to `lsn`
   * — a switchover's candidate catching up with the fenced primary.
   */
  z.strictObject({
    action: z.literal("postgres.wait-replay"),
    lsn: z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i, "must be an LSN such as 0/3000148"),
    timeoutMs: z.number().int().min(0).max(300_000),
  }),
  /** Undoes a fence that did not stop the server: a switchover that gave up before promoting anything. */
  z.strictObject({ action: z.literal("postgres.unfence") }),
  /**
   * A former primary (or any member) becomes a streaming replica of host:port,
   * by the cheapest method that works: follow (standby settings and a start),
   * pg_rewind, or a fresh clone; its own configuration is kept. Answers
   * { rebuilt, method, steps, following }. `slot`: a physical replication slot
   * on the new primary (primary_slot_name); `applicationName`: the name the
   * member streams under (primary_conninfo's application_name).
   */
  z.strictObject({
    action: z.literal("postgres.rebuild"),
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._:-]+$/),
    port: z.number().int().min(1).max(65535),
    slot: z
      .string()
      .regex(/^[a-z0-9_]{1,63}$/)
      .optional(),
    applicationName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,63}$/)
      .optional(),
  }),
  /** A replica follows another primary: primary_conninfo's host and port replaced (and its slot named), then reloaded. */
  z.strictObject({
    action: z.literal("postgres.repoint"),
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._:-]+$/),
    port: z.number().int().min(1).max(65535),
    slot: consoleSlotName.optional(),
  }),
  /**
   * On a primary: the console's slots (clusterdeck_…) become exactly `keep`:
   * missing ones created (WAL reserved at once), other inactive ones dropped;
   * max_slot_wal_keep_size set to `maxWalKeepMb` when it is unlimited.
   */
  z.strictObject({
    action: z.literal("postgres.slots"),
    keep: z.array(consoleSlotName).max(100),
    maxWalKeepMb: z.number().int().min(16).max(1_048_576),
  }),
  /** On a replica: stream through this slot (primary_slot_name, reloaded only when it changes); idle console slots it holds from its primary days are dropped. */
  z.strictObject({ action: z.literal("postgres.use-slot"), slot: consoleSlotName }),
  /** synchronous_standby_names set to this (ALTER SYSTEM, '' resets it) and reloaded, only when it differs. */
  z.strictObject({ action: z.literal("postgres.sync-standbys"), value: syncStandbyNames }),
  /**
   * PAUSE (one database, or all): PgBouncer lets running transactions finish, then holds
   * new queries until RESUME. Refused (409) unless pool_mode is transaction; if the pause
   * does not complete within timeoutMs (a transaction held open) it is undone (RESUME).
   */
  z.strictObject({
    action: z.literal("pgbouncer.pause"),
    database: pgbouncerDatabaseName.optional(),
    timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
  }),
  z.strictObject({ action: z.literal("pgbouncer.resume"), database: pgbouncerDatabaseName.optional() }),
  /** That database's entry in the ini file the agent owns pointed at host:port (nothing else changed), then RELOAD. */
  z.strictObject({
    action: z.literal("pgbouncer.retarget"),
    database: pgbouncerDatabaseName,
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._:-]+$/),
    port: z.number().int().min(1).max(65535),
  }),
  z.strictObject({ action: z.literal("haproxy.set-state"), ...serverRef, state: z.enum(["ready", "drain", "maint"]) }),
  z.strictObject({ action: z.literal("haproxy.set-weight"), ...serverRef, weight: z.number().int().min(0).max(256) }),
]);
export type AgentAction = z.infer<typeof agentAction>;

export const AGENT_PATHS = {
  status: "/v1/status",
  stream: "/v1/stream",
  actions: "/v1/actions",
  config: "/v1/config",
  configValidate: "/v1/config/validate",
  configApply: "/v1/config/apply",
  metrics: "/metrics",
} as const;
