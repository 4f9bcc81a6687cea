// The postgres driver's hold on the server itself rather than through SQL:
// PostgreSQL's own tools (pg_ctl, pg_rewind) from the driver's `stop` section,
// run as the data directory's owner when the agent is root, to stop the server
// (a fence) or turn a former primary into a replica of the new one (rebuild).
import { chown, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { runTool } from "../run-tool";
import { ActionError } from "./types";

/** primary_conninfo with host and port replaced (user, passfile, application_name… kept, quoting included). */
export function replaceHostPort(conninfo: string, host: string, port: number): string {
  // libpq's key=value syntax: a value is bare, or single-quoted with \\ and \' escapes.
  const pairs = [...conninfo.matchAll(/([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)/g)].map((m) => [m[1]!, m[2]!] as const);
  const kept = pairs.filter(([k]) => !["host", "hostaddr", "port"].includes(k)).map(([k, v]) => `${k}=${v}`);
  return [`host=${host}`, `port=${port}`, ...kept].join(" ");
}

export type Control = { pgCtl: string; dataDir: string; runAs?: string };

/** Runs a PostgreSQL tool of the server's installation, as the data directory's owner when the agent runs as root. */
async function pgTool(control: Control, tool: string, args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<string> {
  const exe = path.join(path.dirname(control.pgCtl), tool);
  const [cmd, argv] = control.runAs && process.getuid?.() === 0 ? ["runuser", ["-u", control.runAs, "--", exe, ...args]] : [exe, args];
  // The tool gets toolEnv plus `env` (PGPASSWORD: never on a command line, where ps would show it), never the agent's own environment.
  const result = await runTool(cmd, argv, { timeoutMs, env });
  if (result.code === 0) return result.stdout;
  throw new Error(
    `${tool} failed: ${String(result.stderr || result.error || `exit ${result.code}`)
      .trim()
      .slice(0, 400)}`,
  );
}

/** pg_ctl stop -m fast. */
export function stopServer(control: Control): Promise<void> {
  return pgTool(control, "pg_ctl", ["stop", "-D", control.dataDir, "-m", "fast", "-w", "-t", "30"], 40_000).then(() => undefined);
}

/**
 * Turns this (former primary) server into a replica of host:port:
 * stop it, pg_rewind it from the new primary (needs wal_log_hints or data
 * checksums, which the old timeline had), mark it a standby following the
 * new primary with the replication settings pg_rewind copied over, drop the
 * fence (a standby is read-only anyway, and a future promotion must not
 * inherit it), start it, and wait until it streams.
 */
export async function rebuild(control: Control, url: string, host: string, port: number): Promise<unknown> {
  await stopServer(control).catch((error: Error) => {
    if (!/not running|no server running|PID file .* does not exist/i.test(error.message)) throw error;
  });
  const u = new URL(url);
  const source = `host=${host} port=${port} user=${decodeURIComponent(u.username)} dbname=${u.pathname.slice(1) || "postgres"}`;
  await pgTool(control, "pg_rewind", ["--target-pgdata", control.dataDir, "--source-server", source], 300_000, { PGPASSWORD: decodeURIComponent(u.password) });
  const autoConf = path.join(control.dataDir, "postgresql.auto.conf");
  const lines = (await readFile(autoConf, "utf8").catch(() => "")).split("\n");
  // The new primary still carries the primary_conninfo it used as a replica:
  // the replication user, passfile and options to follow it with.
  const sourceUrl = new URL(url);
  sourceUrl.hostname = host.includes(":") ? `[${host}]` : host;
  sourceUrl.port = String(port);
  const client = new pg.Client({ connectionString: sourceUrl.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  const conninfo = String((await client.query("SELECT current_setting('primary_conninfo') AS c").finally(() => client.end().catch(() => {}))).rows[0]?.c ?? "");
  if (!conninfo.trim())
    throw new ActionError(409, `the new primary has no primary_conninfo to copy the replication settings from: set up replication to ${host}:${port} by hand`);
  const kept = lines.filter((l) => !/^\s*(primary_conninfo|default_transaction_read_only)\s*=/.test(l));
  kept.push(`primary_conninfo = '${replaceHostPort(conninfo, host, port).replace(/'/g, "''")}'`, "");
  // Written as the data directory's owner, as PostgreSQL expects of its files.
  const owner = await stat(control.dataDir);
  await writeFile(autoConf, kept.join("\n").replace(/\n{3,}/g, "\n\n"), { mode: 0o600 });
  await writeFile(path.join(control.dataDir, "standby.signal"), "", { mode: 0o600 });
  await chown(autoConf, owner.uid, owner.gid);
  await chown(path.join(control.dataDir, "standby.signal"), owner.uid, owner.gid);
  await pgTool(control, "pg_ctl", ["start", "-D", control.dataDir, "-w", "-t", "60", "-l", path.join(control.dataDir, "rebuild-start.log")], 90_000);
  return { rebuilt: true, following: `${host}:${port}` };
}
