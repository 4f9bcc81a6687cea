/**
 * Offline Prisma migrations, driven by the official WebAssembly schema engine
 * (`@prisma/schema-engine-wasm`) over `@prisma/adapter-pg`.
 *
 * Why: the Prisma CLI downloads its native (Rust) schema engine at run time,
 * which is impossible here. The Wasm engine ships inside node_modules and talks
 * to PostgreSQL through a JS driver adapter, so `migrate deploy`-style applying
 * and `migrate dev --create-only`-style generation work fully offline.
 *
 * Notes on the plumbing (see the helpers below for details):
 *  - The package's ESM entry does `import * as wasm from "./x.wasm"`, which
 *    Node 20 only allows with `--experimental-wasm-modules`. We instantiate the
 *    .wasm by hand instead (exactly what schema_engine.js does).
 *  - adapter-pg cannot decode PostgreSQL's one-byte `"char"` type (OID 18),
 *    which the engine's introspection queries return; a `pg.Client` subclass
 *    reports it as `text` (OID 25), and the adapter's queryRaw then reports
 *    those columns as ColumnType Character (the engine reads them as `char`
 *    and panics on Text: any CHECK constraint, every NOT NULL on PG 18).
 *  - adapter-pg's `executeScript` splits scripts on every `;` (breaks `$$`
 *    bodies, string literals...). We run a script as ONE simple-protocol query
 *    instead, like the native engine does (one implicit transaction per script).
 *  - Shadow databases (needed to replay migrations for diff/createMigration)
 *    are created by us as `prisma_shadow_<uuid>` on the server of the given URL
 *    and always dropped afterwards (DROP ... WITH (FORCE): PostgreSQL >= 13). (adapter-pg's own `connectToShadowDb` would
 *    silently reconnect to the *main* database when configured with a
 *    connection string, because pg lets `connectionString` override `database`.)
 *
 *  - A Rust panic inside the engine would otherwise kill the process (the
 *    trap is thrown from a microtask) and leave the call pending forever; it
 *    is turned into a rejected call and the Wasm instance is reloaded.
 *
 * Plain server-side module: no Next.js imports; runs under `node --import tsx`
 * and vitest.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter, SchemasContainer } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { log } from "@/lib/log";

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

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
  if (out.migrationScript === null) return null;

  const baseDir = path.resolve(migrationsDir);
  const dir = path.join(baseDir, out.generatedMigrationName);
  if (existsSync(dir)) throw new Error(`The migration directory already exists at ${dir}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `migration.${out.extension}`), out.migrationScript, "utf8");
  if (migrationsList.lockfile.content === null) {
    await writeFile(path.join(baseDir, migrationsList.lockfile.path), lockfileContent(out.connectorType), "utf8");
  }
  return dir;
}

// ---------------------------------------------------------------------------
// Migrations folder / schema reading (same shapes the Prisma CLI builds)
// ---------------------------------------------------------------------------

const EMPTY_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };
const LOCKFILE_NAME = "migration_lock.toml";

function lockfileContent(provider: string): string {
  return "# Please do not edit this file manually\n" + "# It should be added in your version-control system (e.g., Git)\n" + `provider = "${provider}"\n`;
}

/** Mirrors the CLI's `listMigrations()`: subfolders sorted by name. */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockContent = await readFile(path.join(baseDir, LOCKFILE_NAME), "utf8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories: MigrationList["migrationDirectories"] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = "migration.sql";
    const content = await readFile(path.join(baseDir, entry.name, file), "utf8").then(
      (value) => ({ tag: "ok" as const, value }),
      (error: Error) => ({ tag: "error" as const, value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: file, content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: lockContent },
    migrationDirectories,
    shadowDbInitScript: "",
  };
}

async function readSchema(schemaPath: string): Promise<SchemasContainer> {
  const abs = path.resolve(schemaPath);
  return { files: [{ path: abs, content: await readFile(abs, "utf8") }] };
}

function slugifyMigrationName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
  if (!slug) throw new Error(`Invalid migration name: ${JSON.stringify(name)}`);
  return slug;
}

function isOnlyComments(sql: string): boolean {
  return sql
    .split("\n")
    .map((l) => l.trim())
    .every((l) => l === "" || l.startsWith("--"));
}

// ---------------------------------------------------------------------------
// Wasm engine loading (no --experimental-wasm-modules) and panic handling
// ---------------------------------------------------------------------------

type EngineModule = typeof import("@prisma/schema-engine-wasm");
type BgModule = EngineModule & { __wbg_set_wasm(exports: WebAssembly.Exports): void };
type Loaded = { mod: EngineModule; poisoned: boolean };

let loaded: Promise<Loaded> | undefined;
let generation = 0;

/**
 * Same steps as the package's schema_engine.js, minus the `.wasm` ESM import:
 * read the bytes, instantiate with the JS glue as import object, hand the
 * exports to the glue, run the start function. After a Rust panic the instance
 * is unusable, so the next call loads a fresh copy of the glue + instance
 * (a distinct module URL gives a distinct glue module state).
 */
async function loadEngineModule(): Promise<EngineModule> {
  installPanicRegistry();
  const current = loaded && (await loaded.catch(() => undefined));
  if (current && !current.poisoned) return current.mod;
  loaded = (async () => {
    const require = createRequire(import.meta.url);
    const bgJsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bg = (
      generation++ === 0 ? await import("@prisma/schema-engine-wasm/schema_engine_bg") : await import(`${pathToFileURL(bgJsPath).href}?instance=${generation}`)
    ) as BgModule;
    const bytes = await readFile(path.join(path.dirname(bgJsPath), "schema_engine_bg.wasm"));
    const imports: Record<string, unknown> = { ...bg };
    for (const key of Object.keys(imports)) {
      if (key.startsWith("__wbg_setTimeout_")) imports[key] = trackedSetTimeout;
    }
    const { instance } = await WebAssembly.instantiate(bytes, {
      "./schema_engine_bg.js": imports as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return { mod: bg, poisoned: false };
  })();
  return (await loaded).mod;
}

/**
 * The engine arms timers it never clears (there is no clearTimeout import),
 * e.g. a 10 s timeout around the migration advisory lock, which would keep
 * the process alive ~10 s after every call. Timers stay referenced while an
 * engine call is in flight and are unref'd once none is.
 */
const wasmTimers = new Set<NodeJS.Timeout>();
function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer: NodeJS.Timeout = setTimeout(() => {
    wasmTimers.delete(timer);
    callback();
  }, ms >>> 0);
  if (activeCalls === 0) timer.unref();
  else wasmTimers.add(timer);
  return timer;
}

/**
 * wasm-bindgen's panic hook reports the Rust panic message through
 * `globalThis.PRISMA_WASM_PANIC_REGISTRY.set_message()` (Prisma's CLI installs
 * such a registry too). Without one, a panic surfaces as a TypeError and the
 * message is lost. We chain to any existing registry.
 */
const panicWaiters = new Set<(message: string) => void>();
let panicsSeen = 0;
const OURS = Symbol.for("clusterdeck.schemaEngine.panicRegistry");

function installPanicRegistry() {
  type Registry = { set_message(m: string): void; get?(): string; [OURS]?: true };
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: Registry };
  const previous = g.PRISMA_WASM_PANIC_REGISTRY;
  if (previous?.[OURS]) return;
  let last = "";
  g.PRISMA_WASM_PANIC_REGISTRY = {
    [OURS]: true,
    set_message(message: string) {
      last = message;
      panicsSeen++;
      void loaded?.then((l) => (l.poisoned = true));
      for (const notify of panicWaiters) notify(message);
      previous?.set_message(message);
    },
    get: () => last,
  };
}

/**
 * A panic inside an async engine call traps in a wasm-bindgen-futures
 * microtask: the trap becomes an *uncaught exception* (it would kill the
 * process) and the engine's promise never settles. While engine calls are in
 * flight we swallow exactly those traps (a panic message was registered) and
 * reject the pending call with the panic message instead.
 */
let activeCalls = 0;
function onUncaught(error: unknown) {
  if (error instanceof WebAssembly.RuntimeError && panicsSeen > 0) return;
  if (process.listenerCount("uncaughtException") === 1) throw error; // keep default crash
}

async function guardPanics<T>(work: () => Promise<T>): Promise<T> {
  let notify!: (message: string) => void;
  const panicked = new Promise<never>((_, reject) => {
    notify = (message) => reject(new Error(`Prisma schema engine (wasm) panicked: ${message}`));
  });
  panicked.catch(() => {});
  panicWaiters.add(notify);
  if (activeCalls++ === 0) process.on("uncaughtException", onUncaught);
  try {
    return await Promise.race([work(), panicked]);
  } finally {
    panicWaiters.delete(notify);
    if (--activeCalls === 0) {
      for (const timer of wasmTimers) timer.unref();
      wasmTimers.clear();
      // Let a trap queued right after the panic be swallowed before unhooking.
      setImmediate(() => {
        if (activeCalls === 0) process.removeListener("uncaughtException", onUncaught);
      }).unref();
    }
  }
}

// ---------------------------------------------------------------------------
// Driver adapter
// ---------------------------------------------------------------------------

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * Result rows arrays that contained `"char"` columns -> those column indexes.
 * adapter-pg passes the `rows` array through unchanged, which lets the
 * adapter-level `queryRaw` wrapper restore the proper column type.
 */
const charColumnsByRows = new WeakMap<unknown[], number[]>();

type FieldLike = { dataTypeID: number };
function markCharFields<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (r ?? {}) as { fields?: FieldLike[]; rows?: unknown[] };
    if (!Array.isArray(fields)) continue;
    const charColumns: number[] = [];
    fields.forEach((f, i) => {
      if (f.dataTypeID === CHAR_OID) {
        f.dataTypeID = TEXT_OID;
        charColumns.push(i);
      }
    });
    if (charColumns.length > 0 && Array.isArray(rows)) charColumnsByRows.set(rows, charColumns);
  }
  return result;
}

/**
 * pg.Client that reports PostgreSQL's internal one-byte `"char"` type
 * (OID 18, e.g. pg_constraint.contype) as `text` (OID 25): adapter-pg throws
 * "Column type 'char' could not be deserialized" on OID 18 otherwise.
 */
export class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : markCharFields(res));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ret = (super.query as any)(...args);
    return ret && typeof ret.then === "function" ? ret.then(markCharFields) : ret;
  }
}

type Queryable = {
  queryRaw(q: unknown): Promise<{ columnTypes: number[]; rows: unknown[][] }>;
};

/**
 * Reporting "char" as Text is not enough on its own: the engine's describer
 * reads e.g. `constraint_type` with `get_expect_char`, which panics on a Text
 * value (any CHECK constraint, and on PostgreSQL 18 every NOT NULL
 * constraint). So for those columns we report ColumnType Character.
 */
function restoreCharColumns<Q extends Queryable>(q: Q): Q {
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    const charColumns = charColumnsByRows.get(result.rows);
    if (charColumns) for (const i of charColumns) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  return q;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

/**
 * Prisma-style `?schema=name`: pg does not understand it, so strip it, give it
 * to adapter-pg (which reports it to the engine) and make it the search_path
 * (the engine creates some objects, e.g. `_prisma_migrations`, unqualified).
 */
function poolConfig(url: string): { config: pg.PoolConfig; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? undefined;
  if (!schema) return { config: { connectionString: url } };
  u.searchParams.delete("schema");
  const ident = quoteIdent(schema).replace(/\\/g, "\\\\").replace(/ /g, "\\ ");
  return { config: { connectionString: u.toString(), options: `-c search_path=${ident}` }, schema };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

/**
 * Migration-aware adapter factory over adapter-pg. Tracks every pool and
 * shadow database so `close()` releases everything even if the engine does
 * not call `dispose()`.
 */
class PgMigrationAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  private pools = new Set<pg.Pool>();
  private tempDbs = new Set<string>();

  /**
   * @param serverUrl   main database URL; also the server temp DBs go on
   * @param scratchMain use a fresh temporary database as the engine's "main"
   *                    database instead of the one named in serverUrl
   */
  constructor(
    private readonly serverUrl: string | undefined,
    private readonly purpose: string,
    private readonly scratchMain: boolean,
  ) {}

  private requireUrl(): string {
    if (!this.serverUrl) {
      throw new Error(
        `${this.purpose} is required: the schema engine needs a PostgreSQL server ` + `(to connect to, and to create a temporary shadow database on).`,
      );
    }
    return this.serverUrl;
  }

  private async adapterFor(url: string, release?: () => Promise<void>): Promise<Adapter> {
    const { config, schema } = poolConfig(url);
    const pool = new pg.Pool({ ...config, Client: CharAsTextClient, max: 4 });
    pool.on("error", () => {}); // idle-client errors must not crash the process
    this.pools.add(pool);
    const adapter = restoreCharColumns(await new PrismaPg(pool, schema ? { schema } : undefined).connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => restoreCharColumns(await startTransaction(isolationLevel));
    const onError = (adapter as unknown as { onError?: (e: unknown) => never }).onError;
    // Run the whole script as one simple-protocol query (see header comment).
    adapter.executeScript = async (script: string) => {
      try {
        await pool.query(script);
      } catch (error) {
        if (onError) onError.call(adapter, error);
        throw error;
      }
    };
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      await dispose();
      await this.endPool(pool);
      await release?.();
    };
    return adapter;
  }

  private async endPool(pool: pg.Pool) {
    if (!this.pools.delete(pool)) return;
    await pool.end().catch(() => {});
  }

  connect(): Promise<Adapter> {
    return this.scratchMain ? this.connectToTempDb("prisma_scratch") : this.adapterFor(this.requireUrl());
  }

  connectToShadowDb(): Promise<Adapter> {
    return this.connectToTempDb("prisma_shadow");
  }

  private async connectToTempDb(prefix: string): Promise<Adapter> {
    const url = this.requireUrl();
    const name = `${prefix}_${randomUUID().replace(/-/g, "")}`;
    await this.admin(url, `CREATE DATABASE ${quoteIdent(name)}`);
    this.tempDbs.add(name);
    return this.adapterFor(withDatabase(url, name), () => this.dropTempDb(url, name));
  }

  private async dropTempDb(url: string, name: string) {
    if (!this.tempDbs.delete(name)) return;
    await this.admin(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => {});
  }

  private async admin(url: string, sql: string) {
    const client = new pg.Client(poolConfig(url).config);
    client.on("error", () => {});
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close() {
    await Promise.all([...this.pools].map((p) => this.endPool(p)));
    const url = this.serverUrl;
    if (url) await Promise.all([...this.tempDbs].map((n) => this.dropTempDb(url, n)));
  }
}

// ---------------------------------------------------------------------------
// Engine lifecycle
// ---------------------------------------------------------------------------

async function withSchemaEngine<T>(
  opts: { serverUrl: string | undefined; purpose?: string; scratchMain?: boolean },
  fn: (engine: SchemaEngine) => Promise<T>,
  schema?: SchemasContainer,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const factory = new PgMigrationAdapterFactory(opts.serverUrl, opts.purpose ?? "databaseUrl", opts.scratchMain ?? false);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine | undefined;
  try {
    return await guardPanics(async () => {
      engine = await SchemaEngine.new(
        { datamodels: schema?.files.map((f) => [f.path, f.content] as [string, string]) },
        (line: string) => log.debug("schema-engine.log", { line }),
        bound,
      );
      return await fn(engine);
    });
  } catch (error) {
    throw unwrapExternalError(error, bound.errorRegistry);
  } finally {
    try {
      engine?.free();
    } catch {
      // instance may be dead after a panic
    }
    await factory.close();
  }
}

/**
 * JS errors thrown inside the adapter reach the engine as "External error
 * id#N"; the original error sits in the bound factory's error registry.
 */
function unwrapExternalError(error: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }): unknown {
  const id = error instanceof Error ? /External error id#(\d+)/.exec(error.message)?.[1] : undefined;
  const original = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  if (original === undefined) return error;
  if (original instanceof Error) return original;
  return new Error(String(original), { cause: error });
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
