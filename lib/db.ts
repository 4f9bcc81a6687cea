// The one Prisma client of a process. Created on first use, not at import, so
// `next build` can load route modules without a database. Secret columns are
// omitted unless a query asks for them by name.
import "server-only";
import { createPrismaClient, type Db } from "@/lib/db/client";

const globalForPrisma = globalThis as unknown as { __clusterdeckDb?: Db };

function client(): Db {
  return (globalForPrisma.__clusterdeckDb ??= createPrismaClient());
}

export const db: Db = new Proxy({} as Db, {
  get(_target, property) {
    const value = Reflect.get(client(), property);
    return typeof value === "function" ? value.bind(client()) : value;
  },
});

/**
 * For processes outside Next (the CLI, the worker), which find their database
 * themselves rather than in DATABASE_URL: from now on `db`, and so every
 * service, uses this client. The caller owns it (and disconnects it); pass
 * undefined to let go of it.
 */
export function setDb(client: Db | undefined): void {
  globalForPrisma.__clusterdeckDb = client;
}
