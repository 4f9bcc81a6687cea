// The migration-aware driver adapter the schema engine talks to PostgreSQL
// through: adapter-pg, with the `"char"` fix (char-columns.ts), scripts run as
// one query, and the shadow / scratch databases of temp-databases.ts. It
// tracks every pool and temporary database so `close()` releases everything
// even if the engine does not call `dispose()`.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { CharAsTextClient, restoreCharColumns } from "./char-columns";
import { poolConfig, withDatabase } from "./pg-url";
import { createTempDatabase, dropTempDatabase } from "./temp-databases";

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;

export class PgMigrationAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  private pools = new Set<pg.Pool>();
  private tempDbs = new Set<string>();

  /**
   * @param serverUrl   main database URL; also the server temp DBs go on
   * @param purpose     names serverUrl in the error thrown when it is missing
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
    // adapter-pg's `executeScript` splits scripts on every `;` (breaks `$$`
    // bodies, string literals...). Run a script as ONE simple-protocol query
    // instead, like the native engine does (one implicit transaction per script).
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
    const name = await createTempDatabase(url, prefix);
    this.tempDbs.add(name);
    return this.adapterFor(withDatabase(url, name), () => this.dropTempDb(url, name));
  }

  private async dropTempDb(url: string, name: string) {
    if (!this.tempDbs.delete(name)) return;
    await dropTempDatabase(url, name);
  }

  async close() {
    await Promise.all([...this.pools].map((p) => this.endPool(p)));
    const url = this.serverUrl;
    if (url) await Promise.all([...this.tempDbs].map((n) => this.dropTempDb(url, n)));
  }
}
