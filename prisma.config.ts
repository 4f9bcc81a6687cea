// Read by the Prisma CLI. The console itself never relies on it: migrations
// are applied by lib/db/migrations.ts, which needs no downloaded engine.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/clusterdeck" },
});
