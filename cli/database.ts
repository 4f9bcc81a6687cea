// Where the CLI's database comes from: DATABASE_URL when set; otherwise the
// embedded PostgreSQL in the data folder — the running console's, or one
// started for the duration of the command.
import { existsSync, readdirSync } from "node:fs";
import pg from "pg";
import { setDb } from "@/lib/db";
import { createPrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrations";
import { dataDir as configuredDataDir, env } from "@/lib/env";
import { startEmbeddedDatabase, readPostgresConfig, postgresUrl, type EmbeddedDatabase } from "./embedded-postgres";
import { CliError } from "./errors";
import { DataDirLockedError } from "./lock";
import { migrationsDir } from "./paths";

export type Database = {
  url: string;
  /** env: DATABASE_URL; embedded: started (and owned) by this process; console: a running console's. */
  source: "env" | "embedded" | "console";
  embedded: EmbeddedDatabase | null;
  /** Stops what this process started (nothing for env/console). */
  close(): Promise<void>;
};

type Options = { dataDir?: string; port?: number; onLog?: (line: string) => void };

const noop = async () => {};

/**
 * For `start` (and the demo cluster): DATABASE_URL, or an embedded PostgreSQL
 * owned by this process. Throws DataDirLockedError if another process owns the
 * data folder.
 */
export async function startDatabase(command = "start", opts: Options = {}): Promise<Database> {
  const url = env().DATABASE_URL;
  if (url) return { url, source: "env", embedded: null, close: noop };
  const embedded = await startEmbeddedDatabase({
    dataDir: opts.dataDir ?? configuredDataDir(),
    port: opts.port ?? env().CLUSTERDECK_PG_PORT,
    command,
    onLog: opts.onLog,
  });
  return { url: embedded.url, source: "embedded", embedded, close: embedded.stop };
}

/**
 * For short commands (and a worker started alone): DATABASE_URL; else the
 * embedded DB of the console holding the data folder; else the embedded DB
 * started just for this command, with migrations applied (it is ours).
 * Waits a little if another short command holds the folder.
 */
export async function connectDatabase(command: string, opts: Options & { waitMs?: number; /** default true */ migrate?: boolean } = {}): Promise<Database> {
  const url = env().DATABASE_URL;
  if (url) return { url, source: "env", embedded: null, close: noop };
  const dataDir = opts.dataDir ?? configuredDataDir();
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  for (;;) {
    try {
      const db = await startDatabase(command, { ...opts, dataDir });
      if (opts.migrate === false) return db;
      try {
        await runMigrations(db.url, (names) => process.stderr.write(`Applied migration(s): ${names.join(", ")}\n`));
      } catch (error) {
        await db.close();
        throw error;
      }
      return db;
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      if (error.holder.command === "start") return attachToConsole(dataDir, error.holder.pid, deadline);
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

async function attachToConsole(dataDir: string, pid: number, deadline: number): Promise<Database> {
  for (;;) {
    // The console may still be starting: its postgres.json and server come up in turn.
    const config = await readPostgresConfig(dataDir);
    if (config) {
      const url = postgresUrl(config);
      if (await canConnect(url)) return { url, source: "console", embedded: null, close: noop };
    }
    if (Date.now() > deadline) {
      throw new CliError(
        `The console (pid ${pid}) holds the data folder ${dataDir}, but its database ` +
          `does not answer${config ? ` on port ${config.port}` : ""}. Is it still starting?`,
      );
    }
    await sleep(500);
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Applies pending migrations; returns their names. */
export async function runMigrations(databaseUrl: string, onApplied?: (names: string[]) => void): Promise<string[]> {
  const hasMigrations = existsSync(migrationsDir) && readdirSync(migrationsDir, { withFileTypes: true }).some((e) => e.isDirectory());
  if (!hasMigrations) throw new CliError(`No migrations found in ${migrationsDir}; this checkout is incomplete.`);
  const applied = await applyMigrations({ databaseUrl, migrationsDir });
  if (applied.length > 0) onApplied?.(applied);
  return applied;
}

/**
 * Runs `fn` with lib/db's client (and so every lib/<domain>/service.ts) bound
 * to the CLI's database, then releases everything.
 */
export async function withDb<T>(command: string, fn: () => Promise<T>): Promise<T> {
  const database = await connectDatabase(command);
  const client = createPrismaClient(database.url);
  setDb(client);
  try {
    return await fn();
  } finally {
    setDb(undefined);
    await client.$disconnect().catch(() => {});
    await database.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
