// One schema engine session: a loaded Wasm engine over a fresh adapter
// factory, the caller's work guarded against panics, and everything freed
// afterwards (engine instance, pools, temporary databases) whatever happened.
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine, SchemasContainer } from "@prisma/schema-engine-wasm";

import { log } from "@/lib/log";

import { PgMigrationAdapterFactory } from "./adapter-factory";
import { guardPanics } from "./panics";
import { loadEngineModule } from "./wasm-module";

export type SessionOptions = {
  /** The PostgreSQL server to work on (see PgMigrationAdapterFactory). */
  serverUrl: string | undefined;
  /** Names serverUrl in the error thrown when it is missing (default "databaseUrl"). */
  purpose?: string;
  /** Use a throwaway database as the engine's main database. */
  scratchMain?: boolean;
};

export async function withSchemaEngine<T>(opts: SessionOptions, fn: (engine: SchemaEngine) => Promise<T>, schema?: SchemasContainer): Promise<T> {
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
