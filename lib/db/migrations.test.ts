// Protects: prisma/schema.prisma and prisma/migrations say the same thing.
// A schema edit without `npm run db:migration -- <name>` fails here, and so
// does a hand-edited migration that drifts from the schema.
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { applyMigrations, diffMigrationsToSchema } from "@/lib/db/schema-engine";

const migrationsDir = path.resolve("prisma/migrations");
const schemaPath = path.resolve("prisma/schema.prisma");
let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => server?.stop());

it("the migrations produce exactly the schema", async () => {
  const sql = await diffMigrationsToSchema({ migrationsDir, schemaPath, shadowDatabaseUrl: server.url });
  expect(sql, "schema.prisma has changes with no migration: run `npm run db:migration -- <name>`").toBe("");
});

it("the migrations apply to an empty database, and a second run applies nothing", async () => {
  const applied = await applyMigrations({ databaseUrl: server.url, migrationsDir });
  expect(applied.length).toBeGreaterThan(0);
  expect(await applyMigrations({ databaseUrl: server.url, migrationsDir })).toEqual([]);
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('Node', 'AuditEntry', 'Operation')`);
  await client.end();
  expect(rows[0].n).toBe(3);
});
