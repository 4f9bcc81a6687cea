// Writers against a running demo, every acknowledged write kept by id, and
// the ids the demo's primary holds: how a switchover or a failover is judged
// (no client request failed, no acknowledged write lost). Used by
// scripts/stage-db-incidents.ts and the operator's switchover e2e spec.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export type WriteLoad = ReturnType<typeof startWriteLoad>;

/** `n` writers, each POSTing /write through `url` (the demo's load balancer) back to back. */
export function startWriteLoad(url: string, n: number) {
  const acked = new Set<number>();
  let failed = 0;
  let stop = false;
  const loops = Array.from({ length: n }, async () => {
    while (!stop) {
      try {
        const res = await fetch(`${url}/write`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
        const body = (await res.json()) as { id?: string };
        if (res.status === 201 && body.id) acked.add(Number(body.id));
        else failed += 1;
      } catch {
        failed += 1;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    acked,
    failed: () => failed,
    stop: async () => {
      stop = true;
      await Promise.all(loops);
    },
  };
}

/** The database URLs the demo's agents use (superuser, read from their config files: needs the demo's data folder). */
export async function demoDatabaseUrls(demoDir: string): Promise<string[]> {
  const dir = path.join(demoDir, "agents");
  const urls: string[] = [];
  for (const f of await readdir(dir)) {
    const config = JSON.parse(await readFile(path.join(dir, f), "utf8")) as { postgres?: { url: string } };
    if (config.postgres) urls.push(config.postgres.url);
  }
  return urls;
}

/** The database the demo's apps write to, as their settings name it ("app" through PgBouncer, the superuser's own without it). */
async function appsDatabase(demoDir: string): Promise<string | null> {
  const settings = JSON.parse(await readFile(path.join(demoDir, "apps", "app-1.json"), "utf8")) as { database?: { url?: string } };
  return settings.database?.url ? new URL(settings.database.url).pathname.slice(1) || null : null;
}

/** The acknowledged ids missing from the demo database listening on `port` (the apps' database on it). */
export async function missingWrites(demoDir: string, port: number, acked: Set<number>): Promise<number[]> {
  const found = (await demoDatabaseUrls(demoDir)).find((u) => new URL(u).port === String(port));
  if (!found) throw new Error(`no demo database agent on port ${port}`);
  const url = new URL(found);
  const database = await appsDatabase(demoDir);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const stored = new Set((await client.query<{ id: string }>("SELECT id FROM writes")).rows.map((r) => Number(r.id)));
    return [...acked].filter((id) => !stored.has(id));
  } finally {
    await client.end();
  }
}
