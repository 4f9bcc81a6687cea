// Protects: prisma/schema.prisma and prisma/migrations say the same thing.
// A schema edit without `npm run db:migration -- <name>` fails here, and so
// does a hand-edited migration that drifts from the schema.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { applyMigrations, diffMigrationsToSchema } from "@/lib/db/migrations";

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

it("moves HAProxy runtime paths out of stored revision inputs, keeping what was deployed", async () => {
  // The state just before the migration: a revision whose input still names runtime paths.
  const own = await startTestPostgres();
  const before = await mkdtemp(path.join(os.tmpdir(), "migrations-"));
  try {
    const target = "20261204191500_haproxy_runtime_from_agent";
    for (const entry of await readdir(migrationsDir)) {
      if (entry !== target) await cp(path.join(migrationsDir, entry), path.join(before, entry), { recursive: true });
    }
    await applyMigrations({ databaseUrl: own.url, migrationsDir: before });
    const client = new pg.Client({ connectionString: own.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO "Cluster" (id, name, "updatedAt") VALUES ('c1', 'c1', now())`);
      await client.query(
        `INSERT INTO "LoadBalancer" (id, "clusterId", name, kind, host, port, "updatedAt") VALUES ('lb1', 'c1', 'lb1', 'HAPROXY', '127.0.0.1', 80, now())`,
      );
      const input = { runtime: { statsSocket: "/tmp/a.sock", pidFile: "/etc/passwd" }, balance: "roundrobin" };
      for (const [id, kind, value] of [
        ["r1", "HAPROXY", input],
        ["r2", "APP", { runtime: "kept: not an HAProxy input" }],
      ] as const) {
        await client.query(
          `INSERT INTO "ConfigRevision" (id, scope, "targetKind", "clusterId", "loadBalancerId", number, input, content, checksum, message) VALUES ($1, $2, $3, 'c1', 'lb1', 1, $4, 'text as deployed', 'sum', 'm')`,
          [id, `${kind}.x`, kind, JSON.stringify(value)],
        );
      }
      expect(await applyMigrations({ databaseUrl: own.url, migrationsDir })).toEqual([target]);
      const { rows } = await client.query(`SELECT id, input, content FROM "ConfigRevision" ORDER BY id`);
      expect(rows).toEqual([
        { id: "r1", input: { balance: "roundrobin" }, content: "text as deployed" },
        { id: "r2", input: { runtime: "kept: not an HAProxy input" }, content: "text as deployed" },
      ]);
    } finally {
      await client.end();
    }
  } finally {
    await rm(before, { recursive: true, force: true });
    await own.stop();
  }
});
