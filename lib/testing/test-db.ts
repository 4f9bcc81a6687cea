// A migrated, throwaway database for integration tests, wired into lib/db
// through DATABASE_URL so the code under test is the code that ships.
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { applyMigrations } from "@/lib/db/migrations";
import { resetEnvCache } from "@/lib/env";

export function setupTestDatabase(): { url: () => string } {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
    await applyMigrations({ databaseUrl: server.url, migrationsDir: path.resolve("prisma/migrations") });
    process.env.DATABASE_URL = server.url;
    resetEnvCache();
  });
  afterAll(async () => {
    const { db } = await import("@/lib/db");
    await db.$disconnect();
    await server?.stop();
  });
  return { url: () => server!.url };
}
