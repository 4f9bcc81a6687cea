// Builds the Prisma client. Kept apart from lib/db.ts (which is server-only)
// so the CLI and the worker, which run outside Next, can build their own.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { requireDatabaseUrl } from "@/lib/env";

export const secretOmit = {
  user: { passwordHash: true },
  apiToken: { tokenHash: true },
  agentCredential: { secretCiphertext: true },
} as const;

export function createPrismaClient(databaseUrl: string = requireDatabaseUrl()) {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 10 });
  return new PrismaClient({ adapter, omit: secretOmit });
}

export type Db = ReturnType<typeof createPrismaClient>;
/** A transaction client, as handed to `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
