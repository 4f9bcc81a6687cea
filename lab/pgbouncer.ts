/**
 * A real PgBouncer (Debian's 1.18) on loopback in front of a lab PostgreSQL pair, for tests
 * and, later, the demo.
 *
 *   const bouncer = await startPgbouncer({
 *     target: { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl },
 *     poolMode: "transaction",   // optional (default); "session" for the agent's refusal
 *     dir,                       // optional: a temp dir is made (and removed by stop())
 *   });
 *   bouncer.url                  // the app role through PgBouncer (database "app")
 *   bouncer.adminUrl             // the admin console (virtual database "pgbouncer")
 *   bouncer.configFile           // pgbouncer.ini: what the agent's pgbouncer role owns
 *   await bouncer.reload(); await bouncer.kill(); await bouncer.stop();
 *
 * On the target it makes (once) a login role `app` and a database `app` it owns.
 * PgBouncer checks client passwords against `userlist.txt` (auth_type scram-sha-256)
 * holding SCRAM secrets, never passwords: `app`'s is the server's own rolpassword, which
 * lets PgBouncer log into PostgreSQL with the keys the client proved (a replica holds the
 * same pg_authid, so a retarget to it needs nothing else); the admin user `cdadmin` exists
 * only in PgBouncer (admin_users), with a secret made here.
 *
 * PgBouncer refuses to run as root: as root it runs as the `postgres` OS user (spawned with
 * that uid and gid rather than through runuser, so the child's pid is PgBouncer's own and
 * reload/kill signal it directly), and `dir` (0750) and its files belong to that user. It
 * listens on 127.0.0.1 only, without a unix socket (`unix_socket_dir` empty), in the
 * foreground as a child of Node (never daemonised), logging to `dir/pgbouncer.log`.
 *
 * Also a plain script: `node --import tsx lab/pgbouncer.ts [--session]` starts a PostgreSQL
 * pair and a PgBouncer in front of its primary until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { chmod, chown, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import pg from "pg";
import { letPostgresUserReach } from "@/lib/db/embedded-access";
import { makeLabDir, removeDir } from "./dirs";
import { freePort } from "./ports";
import { type PostgresPairHandle, query, startPostgresPair } from "./postgres";
import { LabError, isolatedEnv, onProcessExit, signal, sleep, tailFile, waitFor } from "./process";

export const PGBOUNCER_BINARY = "/usr/sbin/pgbouncer";
export const LAB_DATABASE = "app";
export const LAB_ADMIN_USER = "cdadmin";

export interface PgbouncerOptions {
  /** The PostgreSQL server the `app` entry of [databases] points at, and a superuser URL to prepare it. */
  target: { host: string; port: number; superuserUrl: string };
  poolMode?: "transaction" | "session";
  dir?: string;
  /** Listener on 127.0.0.1; a free one when not given. */
  port?: number;
  binary?: string;
}

export interface PgbouncerHandle {
  dir: string;
  configFile: string;
  authFile: string;
  logFile: string;
  port: number;
  /** PgBouncer's pid (null once it exited). */
  pid(): number | null;
  /** postgresql://app:…@127.0.0.1:<port>/app: a client through the pool. */
  url: string;
  /** postgresql://cdadmin:…@127.0.0.1:<port>/pgbouncer: the admin console. */
  adminUrl: string;
  /** SIGHUP: PgBouncer re-reads configFile (as the admin console's RELOAD does). */
  reload(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** After a kill: PgBouncer again on the same ini (its entries as the agent left them) and listener. */
  start(): Promise<void>;
  /** SIGTERM (immediate shutdown), then SIGKILL after 5 s; removes dir if the lab made it. */
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * One simple-protocol query through PgBouncer on its own connection. Not lab/postgres.ts's
 * query(): that one sends statement_timeout as a startup parameter, which PgBouncer refuses
 * ("unsupported startup parameter") unless told to ignore it.
 */
export async function bouncerQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 10_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A SCRAM-SHA-256 secret in PostgreSQL's rolpassword format (RFC 5802/7677); passwords here are ASCII, so SASLprep changes nothing. */
export function scramSecret(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

export function renderPgbouncerIni(o: { dir: string; port: number; target: { host: string; port: number }; poolMode: string }): string {
  return [
    ";; Written by lab/pgbouncer.ts; the pgbouncer agent rewrites the [databases] entries' host and port.",
    "[databases]",
    `${LAB_DATABASE} = host=${o.target.host} port=${o.target.port} dbname=${LAB_DATABASE}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${o.port}`,
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${path.join(o.dir, "userlist.txt")}`,
    `admin_users = ${LAB_ADMIN_USER}`,
    `pool_mode = ${o.poolMode}`,
    "default_pool_size = 10",
    "max_client_conn = 200",
    `logfile = ${path.join(o.dir, "pgbouncer.log")}`,
    `pidfile = ${path.join(o.dir, "pgbouncer.pid")}`,
    // A server that goes away (a fenced primary) is retried soon, not after 15 s.
    "server_login_retry = 1",
    "",
  ].join("\n");
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const line = (await readFile("/etc/passwd", "utf8")).split("\n").find((l) => l.startsWith("postgres:"));
  if (!line) throw new LabError("running as root needs a `postgres` OS user (apt-get install postgresql creates it)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** The `app` role and database on the target (idempotent: a second bouncer on the same pair reuses them); answers its SCRAM secret. */
async function prepareTarget(superuserUrl: string, password: string): Promise<string> {
  const [role] = await query<{ n: number }>(superuserUrl, "SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [LAB_DATABASE]);
  const literal = `'${password.replace(/'/g, "''")}'`;
  await query(superuserUrl, `${role!.n === 0 ? "CREATE" : "ALTER"} ROLE ${LAB_DATABASE} LOGIN PASSWORD ${literal}`);
  const [db] = await query<{ n: number }>(superuserUrl, "SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [LAB_DATABASE]);
  if (db!.n === 0) await query(superuserUrl, `CREATE DATABASE ${LAB_DATABASE} OWNER ${LAB_DATABASE}`);
  const [secret] = await query<{ s: string }>(superuserUrl, "SELECT rolpassword AS s FROM pg_authid WHERE rolname = $1", [LAB_DATABASE]);
  if (!secret?.s.startsWith("SCRAM-SHA-256$")) throw new LabError("the target stores no SCRAM secret for `app` (password_encryption must be scram-sha-256)");
  return secret.s;
}

export async function startPgbouncer(opts: PgbouncerOptions): Promise<PgbouncerHandle> {
  // A port picked here may be taken by someone else before PgBouncer binds it: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (error) {
      const portTaken = error instanceof Error && /Address already in use|bind\(\) failed/i.test(error.message);
      if (opts.port !== undefined || !portTaken || attempt >= 3) throw error;
    }
  }
}

async function startOnce(opts: PgbouncerOptions): Promise<PgbouncerHandle> {
  const binary = opts.binary ?? PGBOUNCER_BINARY;
  const ownDir = !opts.dir;
  const dir = path.resolve(opts.dir ?? (await makeLabDir("pgb")));
  const port = opts.port ?? (await freePort());
  const configFile = path.join(dir, "pgbouncer.ini");
  const authFile = path.join(dir, "userlist.txt");
  const logFile = path.join(dir, "pgbouncer.log");
  const appPassword = randomBytes(12).toString("hex");
  const adminPassword = randomBytes(12).toString("hex");
  const ids = isRoot() ? await postgresIds() : null;

  try {
    const appSecret = await prepareTarget(opts.target.superuserUrl, appPassword);
    const own = async (file: string, mode: number) => {
      if (ids) await chown(file, ids.uid, ids.gid);
      await chmod(file, mode);
    };
    await own(dir, 0o750);
    await letPostgresUserReach([dir]);
    await writeFile(configFile, renderPgbouncerIni({ dir, port, target: opts.target, poolMode: opts.poolMode ?? "transaction" }));
    await own(configFile, 0o640);
    await writeFile(authFile, `"${LAB_DATABASE}" "${appSecret}"\n"${LAB_ADMIN_USER}" "${scramSecret(adminPassword)}"\n`);
    await own(authFile, 0o600);
    await writeFile(logFile, "");
    await own(logFile, 0o640);
  } catch (error) {
    if (ownDir) await removeDir(dir);
    throw error;
  }

  const out: string[] = [];
  const keep = (d: Buffer) => {
    out.push(...d.toString("utf8").split("\n").filter(Boolean));
    if (out.length > 200) out.splice(0, out.length - 200);
  };
  // One process at a time; `start` runs it again on the same ini (as the agent left it) after a kill.
  let pid = 0;
  let exited: string | null = null;
  let exitedPromise: Promise<void> = Promise.resolve();
  let unhook = () => {};
  const output = () => out.slice(-30).join("\n");
  const alive = () => pid !== 0 && exited === null;
  const launch = async (): Promise<Error | null> => {
    exited = null;
    const child = spawn(binary, [configFile], { cwd: dir, env: isolatedEnv(), stdio: ["ignore", "pipe", "pipe"], ...(ids ?? {}) });
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    exitedPromise = new Promise<void>((resolve) =>
      child.on("exit", (code, sig) => {
        exited = sig ?? `exit ${code}`;
        unhook();
        resolve();
      }),
    );
    const spawnError = await new Promise<Error | null>((resolve) => {
      child.once("spawn", () => resolve(null));
      child.once("error", (err: NodeJS.ErrnoException) =>
        resolve(err.code === "ENOENT" ? new LabError(`${binary} not found: apt-get install pgbouncer`) : err),
      );
    });
    if (spawnError) return spawnError;
    pid = child.pid!;
    const mine = pid;
    unhook = onProcessExit(() => signal(mine, "SIGKILL"));
    return null;
  };
  const spawnError = await launch();
  if (spawnError) {
    if (ownDir) await removeDir(dir);
    throw spawnError;
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (alive()) {
      signal(pid, "SIGTERM");
      const done = await Promise.race([exitedPromise.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        signal(pid, "SIGKILL");
        await exitedPromise;
      }
    }
    unhook();
    if (ownDir) await removeDir(dir);
  };

  const url = `postgresql://${LAB_DATABASE}:${appPassword}@127.0.0.1:${port}/${LAB_DATABASE}`;
  const adminUrl = `postgresql://${LAB_ADMIN_USER}:${adminPassword}@127.0.0.1:${port}/pgbouncer`;
  const answering = () =>
    waitFor("PgBouncer's admin console", async () => (await bouncerQuery(adminUrl, "SHOW VERSION")).length > 0, {
      timeoutMs: 15_000,
      intervalMs: 50,
      detail: output,
      abort: () => (alive() ? null : `pgbouncer exited (${exited})`),
    });
  try {
    await answering();
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(`startPgbouncer: ${message}${message.includes(output()) ? "" : `\n${output()}`}`);
  }

  return {
    dir,
    configFile,
    authFile,
    logFile,
    port,
    pid: () => (alive() ? pid : null),
    url,
    adminUrl,
    logTail: (lines = 30) => tailFile(logFile, lines),
    async reload() {
      if (!alive()) throw new LabError(`pgbouncer is not running (${exited})`);
      signal(pid, "SIGHUP");
    },
    async kill() {
      if (!alive()) return;
      signal(pid, "SIGKILL");
      await exitedPromise;
    },
    async start() {
      if (stopped) throw new LabError("pgbouncer was stopped");
      if (alive()) return;
      const error = await launch();
      if (error) throw error;
      await answering();
    },
    stop,
  };
}

async function main(args: string[]) {
  const pair: PostgresPairHandle = await startPostgresPair();
  const bouncer = await startPgbouncer({
    target: { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl },
    poolMode: args.includes("--session") ? "session" : "transaction",
  }).catch(async (error: unknown) => {
    await pair.stop();
    throw error;
  });
  console.log(
    `PgBouncer ${bouncer.pid()} on 127.0.0.1:${bouncer.port} → primary ${pair.primary.port} (replica ${pair.replica.port})\n` +
      `  clients  ${bouncer.url}\n  admin    ${bouncer.adminUrl}\n  ini      ${bouncer.configFile}\nCtrl-C stops everything.`,
  );
  const shutdown = () => void bouncer.stop().then(() => pair.stop().then(() => process.exit(0)));
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
