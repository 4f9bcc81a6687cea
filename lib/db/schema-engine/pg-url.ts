// Prisma-style PostgreSQL URLs, turned into what `pg` understands. Shared by
// the engine's pools (adapter-factory.ts) and the admin connection that
// creates and drops temporary databases (temp-databases.ts).
import type pg from "pg";

/**
 * Prisma-style `?schema=name`: pg does not understand it, so strip it, give it
 * to adapter-pg (which reports it to the engine) and make it the search_path
 * (the engine creates some objects, e.g. `_prisma_migrations`, unqualified).
 */
export function poolConfig(url: string): { config: pg.PoolConfig; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? undefined;
  if (!schema) return { config: { connectionString: url } };
  u.searchParams.delete("schema");
  const ident = quoteIdent(schema).replace(/\\/g, "\\\\").replace(/ /g, "\\ ");
  return { config: { connectionString: u.toString(), options: `-c search_path=${ident}` }, schema };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
