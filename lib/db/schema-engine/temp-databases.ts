// Throwaway databases for the schema engine: the shadow database it replays
// migrations into (diff, createMigration) and the scratch "main" database
// createMigration runs against. Created by us as `<prefix>_<uuid>` on the
// server of the given URL, and always dropped afterwards (DROP ... WITH
// (FORCE): PostgreSQL >= 13). adapter-pg's own `connectToShadowDb` is not
// used: configured with a connection string it would silently reconnect to
// the *main* database, because pg lets `connectionString` override `database`.
import { randomUUID } from "node:crypto";

import pg from "pg";

import { poolConfig, quoteIdent } from "./pg-url";

/** Creates `<prefix>_<uuid>` on the server of `serverUrl`; returns its name. */
export async function createTempDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomUUID().replace(/-/g, "")}`;
  await admin(serverUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  return name;
}

/** Drops it, connections and all; never throws (cleanup must not hide the real error). */
export async function dropTempDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => {});
}

async function admin(url: string, sql: string) {
  const client = new pg.Client(poolConfig(url).config);
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
