/**
 * Generate the next Prisma migration offline (no downloaded schema engine).
 *
 *   node --import tsx scripts/new-migration.ts <name> [--schema <path>] [--migrations <dir>]
 *
 * Diffs what prisma/migrations produce against prisma/schema.prisma and writes
 * prisma/migrations/<YYYYMMDDHHMMSS>_<name>/migration.sql (plus
 * migration_lock.toml if missing). Nothing is applied to any real database.
 *
 * The schema engine needs a PostgreSQL server to replay the migrations into
 * temporary databases: MIGRATION_DATABASE_URL (or TEST_DATABASE_URL) if set —
 * only temporary databases are created/dropped there — otherwise a throwaway
 * embedded PostgreSQL is started in a temp dir and removed afterwards.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { createMigration } from "../lib/db/migrations";
import { startTestPostgres, type TestPostgres } from "../lib/testing/embedded-pg";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      schema: { type: "string", default: path.join(root, "prisma", "schema.prisma") },
      migrations: { type: "string", default: path.join(root, "prisma", "migrations") },
      help: { type: "boolean", short: "h" },
    },
  });
  const name = positionals.join("_");
  if (values.help || !name) {
    console.error("usage: node --import tsx scripts/new-migration.ts <name> [--schema <path>] [--migrations <dir>]");
    return values.help ? 0 : 2;
  }
  const schemaPath = path.resolve(values.schema);
  const migrationsDir = path.resolve(values.migrations);

  let server: TestPostgres | undefined;
  let databaseUrl = process.env.MIGRATION_DATABASE_URL;
  if (!databaseUrl) {
    console.error("Starting a temporary PostgreSQL…");
    server = await startTestPostgres(); // honours TEST_DATABASE_URL
    databaseUrl = server.url;
  }
  try {
    const folder = await createMigration({ databaseUrl, migrationsDir, schemaPath, name });
    if (!folder) {
      console.log(`No changes: ${path.relative(root, schemaPath)} matches the migrations in ${path.relative(root, migrationsDir)}.`);
      return 0;
    }
    const file = path.join(folder, "migration.sql");
    console.log(`Wrote ${path.relative(process.cwd(), file)}:\n`);
    console.log(await readFile(file, "utf8"));
    return 0;
  } finally {
    await server?.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
