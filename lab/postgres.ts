/**
 * A real PostgreSQL 15 primary with one streaming replica on loopback, for tests
 * and the demo cluster.
 *
 *   const pair = await startPostgresPair({
 *     dir,                 // optional: a temp dir is made (and removed by stop())
 *     primaryPort: 55432,  // optional: free ports are picked
 *     replicaPort: 55433,
 *     synchronous: true,   // optional: synchronous_standby_names = the replica
 *   });
 *   pair.primaryUrl, pair.replicaUrl        // superuser URLs (scram over 127.0.0.1)
 *   pair.monitorUrl(pair.replica.port)      // a pg_monitor-only role, as an agent would use
 *   await pair.primary.stop(); await pair.primary.start(); await pair.primary.kill();
 *   await pair.stop();
 *
 * Uses Debian's PostgreSQL 15 (`apt-get install postgresql`) from
 * /usr/lib/postgresql/15/bin: initdb and pg_ctl for the primary, then
 * `pg_basebackup -R -X stream` for the replica, whose primary_conninfo carries
 * application_name=<replicaName> and a passfile for the replication role. Both
 * listen on 127.0.0.1 only, with their unix sockets in `dir` (mode 0700 sockets).
 * Resolves once the primary's pg_stat_replication shows the replica streaming
 * (and, with `synchronous`, as the sync standby).
 *
 * As root, PostgreSQL refuses to run, so every server command runs as the
 * `postgres` OS user (`runuser -u postgres --`), `dir` is chowned to it, and the
 * folders above `dir` get o+x (traverse only) so that user can reach it.
 *
 * A lab, not production: fsync is off (a crashed lab is thrown away), but
 * full_page_writes and wal_log_hints stay on so pg_rewind can re-attach an old
 * primary later. Servers are daemons started by pg_ctl, not children of Node;
 * if Node exits without stop(), an exit hook shuts them down immediately.
 *
 * Also a plain script: `node --import tsx lab/postgres.ts [--sync]` runs a pair
 * until Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { appendFile, chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";
import { letPostgresUserReach } from "@/lib/db/embedded-access";
import { makeLabDir, removeDir } from "./dirs";
import { freePorts } from "./ports";
import { LabError, onProcessExit, run, runChecked, signal, sleep, tailFile, waitFor, waitForExit } from "./process";

export const DEFAULT_PG_BIN_DIR = "/usr/lib/postgresql/15/bin";

export interface PostgresPairOptions {
  dir?: string;
  primaryPort?: number;
  replicaPort?: number;
  /** Make the replica the synchronous standby (commits wait for it). */
  synchronous?: boolean;
  /** application_name of the replica (default "replica"). */
  replicaName?: string;
  /** Folder with initdb, pg_ctl, pg_basebackup (default PostgreSQL 15's). */
  binDir?: string;
  /** Per step: server start, streaming wait (default 30 s). */
  timeoutMs?: number;
}

export interface PostgresServerHandle {
  name: "primary" | "replica";
  port: number;
  dataDir: string;
  logFile: string;
  /** Superuser URL. */
  url: string;
  /** Postmaster pid, or null when not running. */
  pid(): number | null;
  /** (Re)starts the server with pg_ctl and waits until it accepts connections. */
  start(): Promise<void>;
  /** pg_ctl stop (default mode "fast"); a no-op when it is not running. */
  stop(mode?: "smart" | "fast" | "immediate"): Promise<void>;
  /** SIGKILL to the postmaster and all its processes: a crash, nothing flushed or said goodbye. */
  kill(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

export interface PostgresPairHandle {
  dir: string;
  primaryUrl: string;
  replicaUrl: string;
  replicaName: string;
  /** URL of a role that is only a member of pg_monitor (what an agent needs to observe). */
  monitorUrl(port: number): string;
  primary: PostgresServerHandle;
  replica: PostgresServerHandle;
  /**
   * One more replica of the primary (pg_basebackup), streaming under
   * `applicationName` (also its folder's name in `dir`); stopped with the pair.
   */
  addReplica(applicationName: string): Promise<PostgresServerHandle>;
  /** Stops every replica, then the primary, and removes `dir` if the lab made it. */
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;
// sun_path holds 107 bytes plus NUL; PostgreSQL appends "/.s.PGSQL.<port>.lock".
const MAX_SOCKET_DIR = 107 - "/.s.PGSQL.65535.lock".length;

/** Runs a PostgreSQL tool as the postgres OS user when we are root. */
function pgCommand(binDir: string, tool: string, args: string[]): [string, string[]] {
  const exe = path.join(binDir, tool);
  return isRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
}

async function ownByPostgres(target: string, mode: number): Promise<void> {
  await chmod(target, mode);
  if (!isRoot()) return;
  const [uid, gid] = await postgresIds();
  await chown(target, uid, gid);
}

let postgresIdsCache: [number, number] | null = null;
async function postgresIds(): Promise<[number, number]> {
  if (postgresIdsCache) return postgresIdsCache;
  const passwd = await readFile("/etc/passwd", "utf8");
  const line = passwd.split("\n").find((l) => l.startsWith("postgres:"));
  if (!line) throw new LabError("running as root needs a `postgres` OS user (apt-get install postgresql creates it)");
  const [, , uid, gid] = line.split(":");
  postgresIdsCache = [Number(uid), Number(gid)];
  return postgresIdsCache;
}

/**
 * The running postmaster of dataDir, or null. A crash leaves postmaster.pid
 * behind and its pid may since belong to another process, so the pid only
 * counts if that process is a postgres started on this very data directory.
 */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes(dataDir) && /postgres$/.test(argv[0] ?? "") ? pid : null;
  } catch {
    return null;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** One query on its own short-lived connection (bounded waits): servers here start, stop and crash under tests. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function serverHandle(opts: {
  name: "primary" | "replica";
  binDir: string;
  dataDir: string;
  logFile: string;
  socketDir: string;
  port: number;
  url: string;
  timeoutMs: number;
}): PostgresServerHandle {
  const { binDir, dataDir, logFile, timeoutMs } = opts;
  const logTail = (lines = 30) => tailFile(logFile, lines);
  return {
    name: opts.name,
    port: opts.port,
    dataDir,
    logFile,
    url: opts.url,
    pid: () => postmasterPid(dataDir),
    logTail,
    async start() {
      // After a crash the lock file stays behind, and its pid may still be an
      // unreaped zombie, which PostgreSQL takes for a running postmaster.
      if (postmasterPid(dataDir) === null) {
        await rm(path.join(dataDir, "postmaster.pid"), { force: true });
        await rm(path.join(opts.socketDir, `.s.PGSQL.${opts.port}.lock`), { force: true });
      }
      const seconds = String(Math.ceil(timeoutMs / 1000));
      const [cmd, args] = pgCommand(binDir, "pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", seconds, "start"]);
      const result = await run(cmd, args, { cwd: path.dirname(dataDir), timeoutMs: timeoutMs + 5000 });
      if (result.code !== 0) {
        throw new LabError(`${opts.name} did not start (pg_ctl: ${(result.stderr + result.stdout).trim()})\n--- ${logFile}\n${await logTail()}`);
      }
    },
    async stop(mode = "fast") {
      const pid = postmasterPid(dataDir);
      if (pid === null) return;
      const seconds = String(Math.ceil(timeoutMs / 1000));
      const [cmd, args] = pgCommand(binDir, "pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", seconds, "stop"]);
      const result = await run(cmd, args, { cwd: path.dirname(dataDir), timeoutMs: timeoutMs + 5000 });
      if (result.code !== 0 && postmasterPid(dataDir) !== null) {
        throw new LabError(`${opts.name} did not stop (pg_ctl: ${(result.stderr + result.stdout).trim()})\n--- ${logFile}\n${await logTail()}`);
      }
      // pg_ctl returns once the pid file is gone, a moment before the process is.
      await waitForExit(pid, 5000);
    },
    async kill() {
      const pid = postmasterPid(dataDir);
      if (pid === null) return;
      const all = [pid, ...childrenOf(pid)];
      for (const p of all) signal(p, "SIGKILL");
      for (const p of all) await waitForExit(p, 5000);
    },
  };
}

export async function startPostgresPair(opts: PostgresPairOptions = {}): Promise<PostgresPairHandle> {
  // Ports picked here may be taken by someone else before PostgreSQL binds them: retry then.
  const picked = opts.primaryPort === undefined && opts.replicaPort === undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPairOnce(opts);
    } catch (error) {
      const portTaken = error instanceof Error && /could not bind|Address already in use|could not create any TCP\/IP sockets/.test(error.message);
      if (!picked || !portTaken || attempt >= 3) throw error;
    }
  }
}

async function startPairOnce(opts: PostgresPairOptions): Promise<PostgresPairHandle> {
  const binDir = opts.binDir ?? DEFAULT_PG_BIN_DIR;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const replicaName = opts.replicaName ?? "replica";
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(replicaName)) throw new LabError(`startPostgresPair: bad replicaName ${JSON.stringify(replicaName)}`);
  for (const tool of ["initdb", "pg_ctl", "pg_basebackup"]) {
    if (!existsSync(path.join(binDir, tool))) {
      throw new LabError(`PostgreSQL 15 tools not found (${path.join(binDir, tool)}): apt-get install postgresql`);
    }
  }
  const [freeA, freeB] = await freePorts(2);
  const primaryPort = opts.primaryPort ?? (freeA === opts.replicaPort ? freeB! : freeA!);
  const replicaPort = opts.replicaPort ?? (freeB === primaryPort ? freeA! : freeB!);
  if (primaryPort === replicaPort) throw new LabError("startPostgresPair: primaryPort and replicaPort must differ");
  const ownDir = !opts.dir;
  const dir = path.resolve(opts.dir ?? (await makeLabDir("pg")));
  // Checked before anything is started: stop() below must never touch a pair it did not start.
  const refuse = async (message: string) => {
    if (ownDir) await removeDir(dir);
    return new LabError(`startPostgresPair: ${message}`);
  };
  if (Buffer.byteLength(dir) > MAX_SOCKET_DIR) throw await refuse(`${dir} is too long to hold unix sockets; use a shorter dir`);
  if (existsSync(path.join(dir, "primary")) || existsSync(path.join(dir, "replica"))) {
    throw await refuse(`${dir} already holds a pair; give an empty dir`);
  }

  const superPassword = randomBytes(12).toString("hex");
  const replPassword = randomBytes(12).toString("hex");
  const monitorPassword = randomBytes(12).toString("hex");
  const urlFor = (port: number) => `postgresql://postgres:${superPassword}@127.0.0.1:${port}/postgres`;
  const monitorUrl = (port: number) => `postgresql://monitor:${monitorPassword}@127.0.0.1:${port}/postgres`;
  const primaryDir = path.join(dir, "primary");
  const replicaDir = path.join(dir, "replica");
  const primary = serverHandle({
    name: "primary",
    binDir,
    dataDir: primaryDir,
    logFile: path.join(dir, "primary.log"),
    socketDir: dir,
    port: primaryPort,
    url: urlFor(primaryPort),
    timeoutMs,
  });
  const replica = serverHandle({
    name: "replica",
    binDir,
    dataDir: replicaDir,
    logFile: path.join(dir, "replica.log"),
    socketDir: dir,
    port: replicaPort,
    url: urlFor(replicaPort),
    timeoutMs,
  });

  const extras: PostgresServerHandle[] = [];
  // Last resort if Node exits without stop(): SIGQUIT = immediate shutdown.
  const unhook = onProcessExit(() => {
    for (const d of [...extras.map((e) => e.dataDir), replicaDir, primaryDir]) {
      const pid = postmasterPid(d);
      if (pid) signal(pid, "SIGQUIT");
    }
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const errors: unknown[] = [];
    for (const server of [...extras, replica, primary]) {
      await server.stop("fast").catch(async (error: unknown) => {
        errors.push(error);
        await server.kill();
      });
    }
    unhook();
    if (ownDir) await removeDir(dir);
    if (errors.length > 0) throw errors[0];
  };

  const passfile = path.join(dir, "replication.pgpass");
  /** A base backup of the primary in dataDir, set up to stream from it as applicationName on port. */
  const cloneReplica = async (dataDir: string, applicationName: string, port: number, clusterName: string) => {
    const conninfo = `host=127.0.0.1 port=${primaryPort} user=replicator application_name=${applicationName} passfile=${passfile}`;
    const [basebackup, basebackupArgs] = pgCommand(binDir, "pg_basebackup", [
      "-D",
      dataDir,
      "-d",
      conninfo,
      "-R",
      "-X",
      "stream",
      "-c",
      "fast",
      "--no-sync",
      "-w",
    ]);
    await runChecked(basebackup, basebackupArgs, { cwd: dir, timeoutMs: 120_000 });
    await appendFile(
      path.join(dataDir, "postgresql.conf"),
      ["", "# --- lab/postgres.ts: a replica", `port = ${port}`, `cluster_name = ${quoteLiteral(clusterName)}`, ""].join("\n"),
    );
  };
  const addReplica = async (applicationName: string) => {
    if (
      !/^[A-Za-z0-9_-]{1,60}$/.test(applicationName) ||
      ["primary", "replica"].includes(applicationName) ||
      extras.some((e) => path.basename(e.dataDir) === applicationName)
    )
      throw new LabError(`addReplica: bad or taken name ${JSON.stringify(applicationName)}`);
    const [port] = await freePorts(1);
    const server = serverHandle({
      name: "replica",
      binDir,
      dataDir: path.join(dir, applicationName),
      logFile: path.join(dir, `${applicationName}.log`),
      socketDir: dir,
      port: port!,
      url: urlFor(port!),
      timeoutMs,
    });
    extras.push(server);
    await cloneReplica(server.dataDir, applicationName, server.port, applicationName);
    await server.start();
    await waitFor(
      `${applicationName} streaming`,
      async () =>
        (
          await query<{ n: number }>(
            primary.url,
            "SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming' AND replay_lsn IS NOT NULL",
            [applicationName],
          )
        )[0]!.n === 1,
      { timeoutMs, intervalMs: 100, detail: async () => `--- ${server.logFile}\n${await server.logTail()}` },
    );
    return server;
  };

  try {
    await mkdir(dir, { recursive: true });
    await ownByPostgres(dir, 0o755);
    await letPostgresUserReach([dir]);

    const pwfile = path.join(dir, "pwfile");
    await writeFile(pwfile, `${superPassword}\n`, { mode: 0o600 });
    await ownByPostgres(pwfile, 0o600);
    const [initdb, initdbArgs] = pgCommand(binDir, "initdb", [
      "-D",
      primaryDir,
      "-U",
      "postgres",
      `--pwfile=${pwfile}`,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    await runChecked(initdb, initdbArgs, { cwd: dir, timeoutMs: 60_000 }).finally(() => removeDir(pwfile));

    await appendFile(
      path.join(primaryDir, "postgresql.conf"),
      [
        "",
        "# --- lab/postgres.ts",
        "listen_addresses = '127.0.0.1'",
        `port = ${primaryPort}`,
        `unix_socket_directories = ${quoteLiteral(dir)}`,
        "unix_socket_permissions = 0700",
        "cluster_name = 'primary'",
        "wal_level = replica",
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        "wal_keep_size = '256MB'",
        "hot_standby = on",
        "hot_standby_feedback = on",
        // Replicas report their positions every second (default 10 s), so the
        // primary's pg_stat_replication is fresh; a lost primary is retried every second.
        "wal_receiver_status_interval = '1s'",
        "wal_retrieve_retry_interval = '1s'",
        "wal_log_hints = on",
        "fsync = off",
        "shared_buffers = '32MB'",
        "max_connections = 50",
        "log_line_prefix = '%m [%p] %q%a '",
        "",
      ].join("\n"),
    );
    await writeFile(
      path.join(primaryDir, "pg_hba.conf"),
      [
        "# lab/postgres.ts: loopback only, passwords (scram) over TCP; the unix socket is 0700.",
        "local   all          all                        trust",
        "local   replication  all                        trust",
        "host    all          all          127.0.0.1/32  scram-sha-256",
        "host    replication  replicator   127.0.0.1/32  scram-sha-256",
        "",
      ].join("\n"),
    );
    await primary.start();
    await query(primary.url, `CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD ${quoteLiteral(replPassword)}`);
    await query(primary.url, `CREATE ROLE monitor WITH LOGIN PASSWORD ${quoteLiteral(monitorPassword)} IN ROLE pg_monitor`);

    // The replicas connect with this passfile (kept in dir, read by the postgres user).
    await writeFile(passfile, `127.0.0.1:*:*:replicator:${replPassword}\n`, { mode: 0o600 });
    await ownByPostgres(passfile, 0o600);
    await cloneReplica(replicaDir, replicaName, replicaPort, "replica");
    await replica.start();

    if (opts.synchronous) {
      await query(primary.url, `ALTER SYSTEM SET synchronous_standby_names = ${quoteLiteral(`"${replicaName}"`)}`);
      await query(primary.url, "SELECT pg_reload_conf()");
    }
    await waitFor(
      `${replicaName} streaming${opts.synchronous ? " as the synchronous standby" : ""}`,
      async () => {
        // replay_lsn: the replica has reported back once, so every figure is there.
        const rows = await query<{ state: string; sync_state: string; replay_lsn: string | null }>(
          primary.url,
          "SELECT state, sync_state, replay_lsn::text FROM pg_stat_replication WHERE application_name = $1",
          [replicaName],
        );
        return rows.some((r) => r.state === "streaming" && r.replay_lsn !== null && (!opts.synchronous || r.sync_state === "sync"));
      },
      {
        timeoutMs,
        intervalMs: 100,
        detail: async () => `--- ${replica.logFile}\n${await replica.logTail()}\n--- ${primary.logFile}\n${await primary.logTail(15)}`,
      },
    );
  } catch (error) {
    // Keep the logs' tails in the error before the folder goes.
    const logs = `\n--- primary log\n${await primary.logTail(15)}\n--- replica log\n${await replica.logTail(15)}`;
    await stop().catch(() => {});
    if (!ownDir) {
      // Leave the given dir as it was found, so a retry can use it.
      for (const f of [primaryDir, replicaDir, "primary.log", "replica.log", "replication.pgpass", "pwfile"]) {
        await removeDir(path.resolve(dir, f));
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(message.includes("--- ") ? message : `${message}${logs}`);
  }

  return {
    dir,
    primaryUrl: primary.url,
    replicaUrl: replica.url,
    replicaName,
    monitorUrl,
    primary,
    replica,
    addReplica,
    stop,
  };
}

async function main(args: string[]) {
  const started = Date.now();
  const pair = await startPostgresPair({ synchronous: args.includes("--sync") });
  console.log(
    `PostgreSQL pair up in ${Date.now() - started} ms (${pair.dir})\n  primary  ${pair.primaryUrl}\n  replica  ${pair.replicaUrl}\nCtrl-C stops both.`,
  );
  const shutdown = () => void pair.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  for (;;) await sleep(60_000);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
