// `clusterdeck migrate`: apply pending migrations to DATABASE_URL, or to the
// embedded database (the running console's, or started for the duration).
import type { Command } from "./args";
import { connectDatabase, runMigrations } from "./database";
import { print } from "./output";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "Apply pending database migrations.",
  details: "Uses DATABASE_URL; without it, the embedded PostgreSQL in the data folder.",
  options: {},
  async run() {
    const database = await connectDatabase("migrate", { migrate: false });
    try {
      const applied = await runMigrations(database.url);
      print(applied.length ? `Applied migration(s): ${applied.join(", ")}` : "Database schema is up to date.");
    } finally {
      await database.close();
    }
  },
};
