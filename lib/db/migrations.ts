/**
 * Offline Prisma migrations: apply them, check them against schema.prisma,
 * create a new one. Driven by the official WebAssembly schema engine
 * (`@prisma/schema-engine-wasm`) over `@prisma/adapter-pg`.
 *
 * Why: the Prisma CLI downloads its native (Rust) schema engine at run time,
 * which is impossible here. The Wasm engine ships inside node_modules and talks
 * to PostgreSQL through a JS driver adapter, so `migrate deploy`-style applying
 * and `migrate dev --create-only`-style generation work fully offline.
 *
 * This module is the use cases; the plumbing they share sits in
 * lib/db/schema-engine/: loading the Wasm engine (wasm-module.ts, its timers
 * and panics), the adapter it talks through (adapter-factory.ts, with the
 * `"char"` fix and the shadow / scratch databases), the migrations folder
 * (migration-files.ts), and the session that ties them up (session.ts).
 *
 * Plain server-side module: no Next.js imports; runs under `node --import tsx`
 * and vitest.
 */
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";

import { lockfileContent, readMigrationsList, readSchema, slugifyMigrationName, writeMigrationFolder } from "./schema-engine/migration-files";
import { withSchemaEngine } from "./schema-engine/session";

const EMPTY_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface ApplyMigrationsOptions {
  /** postgres://user:pass@host:port/db[?schema=name] */
  databaseUrl: string;
  /** e.g. `<repo>/prisma/migrations` */
  migrationsDir: string;
}

/**
 * Apply pending migrations from `migrationsDir` (Prisma's standard layout),
 * recording them in `_prisma_migrations` exactly like `prisma migrate deploy`.
 * Idempotent; returns the names of the migrations applied by this call.
 * Throws if the database has a failed migration (it must be resolved first).
 */
export async function applyMigrations({ databaseUrl, migrationsDir }: ApplyMigrationsOptions): Promise<string[]> {
  const migrationsList = await readMigrationsList(migrationsDir);
  return withSchemaEngine({ serverUrl: databaseUrl }, async (engine) => {
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({
        migrationsList,
        filters: EMPTY_FILTER,
      });
      return appliedMigrationNames;
    } catch (error) {
      throw await explainApplyFailure(engine, migrationsList, error);
    }
  });
}

export interface DiffMigrationsToSchemaOptions {
  migrationsDir: string;
  /** Path to schema.prisma (a single file). */
  schemaPath: string;
  /**
   * A connection to a PostgreSQL server on which the user may CREATE DATABASE.
   * Required: the engine replays the migrations into a throwaway "shadow"
   * database (`prisma_shadow_<uuid>`, created and dropped on that server) to
   * learn what they produce. The database named in the URL itself is not
   * modified — it is only used to issue CREATE/DROP DATABASE.
   */
  shadowDatabaseUrl?: string;
}

/**
 * SQL needed to go from what the migrations produce to what `schemaPath`
 * describes. Returns "" when they agree.
 *
 * Approach: engine `diff` with `from: { tag: "migrations" }` (replayed in a
 * shadow database) and `to: { tag: "schemaDatamodel" }`, `script: true`. The
 * engine prints "-- This is an empty migration." for no changes; any output
 * consisting only of SQL comments/whitespace is normalised to "".
 */
export async function diffMigrationsToSchema({ migrationsDir, schemaPath, shadowDatabaseUrl }: DiffMigrationsToSchemaOptions): Promise<string> {
  const [migrationsList, schema] = await Promise.all([readMigrationsList(migrationsDir), readSchema(schemaPath)]);
  return withSchemaEngine(
    { serverUrl: shadowDatabaseUrl, purpose: "diffMigrationsToSchema (shadowDatabaseUrl)" },
    async (engine) => {
      const result = await engine.diff({
        // No migrations yet: diff from an empty database (no shadow DB needed).
        // Otherwise the engine replays them into a shadow DB; it insists on a
        // lockfile to pick the connector, so default to postgresql in memory.
        from:
          migrationsList.migrationDirectories.length === 0
            ? { tag: "empty" }
            : {
                tag: "migrations",
                ...migrationsList,
                lockfile: {
                  ...migrationsList.lockfile,
                  content: migrationsList.lockfile.content ?? lockfileContent("postgresql"),
                },
              },
        to: { tag: "schemaDatamodel", ...schema },
        script: true,
        exitCode: null,
        filters: EMPTY_FILTER,
      });
      const sql = result.stdout ?? "";
      return isOnlyComments(sql) ? "" : sql;
    },
    schema,
  );
}

export interface CreateMigrationOptions {
  /**
   * A PostgreSQL server on which the user may CREATE DATABASE. Required in
   * practice (a clear error is thrown without it). Only temporary databases
   * are used there (`prisma_scratch_<uuid>`, `prisma_shadow_<uuid>`, dropped
   * afterwards); the database named in the URL is not modified.
   * scripts/new-migration.ts starts a throwaway embedded PostgreSQL for this.
   */
  databaseUrl?: string;
  migrationsDir: string;
  schemaPath: string;
  /** Free text; slugified like the CLI does (lowercase, `_`). */
  name: string;
}

/**
 * Write `<migrationsDir>/<YYYYMMDDHHMMSS>_<name>/migration.sql` containing the
 * SQL from the existing migrations to the schema (and `migration_lock.toml` if
 * missing). Returns the new folder's path, or null if nothing changed.
 * Does not apply the migration.
 */
export async function createMigration({ databaseUrl, migrationsDir, schemaPath, name }: CreateMigrationOptions): Promise<string | null> {
  const [migrationsList, schema] = await Promise.all([readMigrationsList(migrationsDir), readSchema(schemaPath)]);
  const migrationName = slugifyMigrationName(name);
  // The wasm engine's createMigration takes the "from" schema from a cache
  // that only devDiagnostic fills (by replaying the migrations into a shadow
  // DB), and only for migrations already applied to the main database. So we
  // run the `migrate dev --create-only` sequence against a scratch main
  // database: applyMigrations -> devDiagnostic -> createMigration.
  const out = await withSchemaEngine(
    { serverUrl: databaseUrl, scratchMain: true, purpose: "createMigration (databaseUrl)" },
    async (engine) => {
      await engine.applyMigrations({ migrationsList, filters: EMPTY_FILTER });
      await engine.devDiagnostic({ migrationsList, filters: EMPTY_FILTER });
      return engine.createMigration({
        draft: false,
        migrationName,
        migrationsList,
        schema,
        filters: EMPTY_FILTER,
      });
    },
    schema,
  );
  const { migrationScript } = out;
  if (migrationScript === null) return null;
  return writeMigrationFolder(migrationsList, migrationsDir, { ...out, migrationScript });
}

function isOnlyComments(sql: string): boolean {
  return sql
    .split("\n")
    .map((l) => l.trim())
    .every((l) => l === "" || l.startsWith("--"));
}

/** Clear error for failed migrations (P3009) and other apply failures. */
async function explainApplyFailure(engine: SchemaEngine, migrationsList: MigrationList, error: unknown): Promise<Error> {
  const base = error instanceof Error ? error : new Error(String(error));
  const diag = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: EMPTY_FILTER }).catch(() => null);
  if (diag && diag.failedMigrationNames.length > 0) {
    return new Error(
      `Applying migrations failed: the database records failed migration(s) ` +
        `${diag.failedMigrationNames.join(", ")} in _prisma_migrations. No further ` +
        `migrations will be applied until it is resolved: fix the cause, then mark it ` +
        `rolled back (set rolled_back_at) or applied.\nEngine error: ${base.message}`,
      { cause: error },
    );
  }
  return base;
}
