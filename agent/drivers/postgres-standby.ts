// The last stretch of every rebuild method: the member's own configuration
// back in place, the standby settings on top, started, and seen streaming.
import { chown, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { type Control, startServer } from "./postgres-control";
import { confString, withoutSettings } from "./postgres-conf";
import { expandConfig, fileCount, restoreStash, settingOf, stashDirOf } from "./postgres-config-stash";

export type RebuildContext = {
  control: Control;
  /** The agent's own URL of this member (its port is the one the member must listen on). */
  url: string;
  host: string;
  port: number;
  slot?: string;
  /** primary_conninfo to follow the new primary with. */
  conninfo: string;
  steps: string[];
};

// How long a started standby may take to stream before the method counts as failed.
const STREAMING_WAIT_MS = 30_000;

export const serverLogOf = (control: Control) => path.join(stashDirOf(control.dataDir), "server.log");

async function writeOwned(file: string, text: string, owner: { uid: number; gid: number }): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  if (process.getuid?.() === 0) await chown(file, owner.uid, owner.gid);
}

/**
 * The port the member must listen on when its saved configuration says
 * otherwise: a member broken by an older release (no stash then) had the
 * other server's configuration copied in, and that is what got saved. The
 * agent's own URL names the right one.
 */
async function portOverride(ctx: RebuildContext): Promise<number | null> {
  const dataDir = ctx.control.dataDir;
  const entries = (await expandConfig(dataDir)).entries;
  const set = settingOf(entries, "port");
  const hasMain = await stat(path.join(dataDir, "postgresql.conf")).then(
    () => true,
    () => false,
  );
  // Without postgresql.conf here (Debian keeps it in /etc) the effective port is not ours to know.
  if (set === null && !hasMain) return null;
  const ours = Number(new URL(ctx.url).port || 5432);
  return Number(set ?? 5432) === ours ? null : ours;
}

/** Own configuration back, then primary_conninfo, primary_slot_name and standby.signal on top; the fence goes. */
export async function prepareStandby(ctx: RebuildContext): Promise<void> {
  const dataDir = ctx.control.dataDir;
  const owner = await stat(dataDir);
  ctx.steps.push(`own configuration put back (${fileCount(await restoreStash(dataDir))})`);
  const port = await portOverride(ctx);
  if (port !== null)
    ctx.steps.push(`its saved configuration does not listen on port ${port}, where the agent reaches it: port ${port} set in postgresql.auto.conf`);
  const autoConf = path.join(dataDir, "postgresql.auto.conf");
  const kept = withoutSettings(await readFile(autoConf, "utf8").catch(() => ""), [
    "primary_conninfo",
    "primary_slot_name",
    // The fence: a standby is read-only anyway, and a future promotion must not inherit it.
    "default_transaction_read_only",
    ...(port !== null ? ["port"] : []),
  ]).trimEnd();
  const lines = [kept, `primary_conninfo = ${confString(ctx.conninfo)}`];
  // A slot from the member's own past would not exist on the new primary: only the one asked for.
  if (ctx.slot) lines.push(`primary_slot_name = ${confString(ctx.slot)}`);
  if (port !== null) lines.push(`port = ${port}`);
  await writeOwned(autoConf, `${lines.join("\n").trimStart()}\n`, owner);
  await writeOwned(path.join(dataDir, "standby.signal"), "", owner);
  await rm(path.join(dataDir, "recovery.signal"), { force: true });
}

/** pg_ctl start, then waits until the WAL receiver streams; throws with the log's tail when it does not. */
export async function startStandby(ctx: RebuildContext): Promise<void> {
  const log = serverLogOf(ctx.control);
  try {
    await startServer(ctx.control, log);
  } catch (error) {
    throw new Error(`${(error as Error).message.split("\n")[0]} (its log: ${await logTail(log)})`);
  }
  ctx.steps.push("started as a standby");
  const until = Date.now() + STREAMING_WAIT_MS;
  let last = "not reachable";
  while (Date.now() < until) {
    last = await receiverStatus(ctx.url).catch((e: Error) => `not reachable: ${e.message}`);
    if (last === "streaming") {
      ctx.steps.push(`streaming from ${ctx.host}:${ctx.port}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`started, but not streaming from ${ctx.host}:${ctx.port} within ${STREAMING_WAIT_MS / 1000} s (${last}; its log: ${await logTail(log)})`);
}

async function receiverStatus(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, statement_timeout: 3000 });
  client.on("error", () => {});
  await client.connect();
  try {
    const row = (
      await client.query<{ rec: boolean; status: string | null }>("SELECT pg_is_in_recovery() AS rec, (SELECT status FROM pg_stat_wal_receiver) AS status")
    ).rows[0]!;
    if (!row.rec) return "not in recovery";
    return row.status ?? "no WAL receiver";
  } finally {
    await client.end().catch(() => {});
  }
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  const lines = text.trimEnd().split("\n").slice(-3).join(" | ");
  return lines.slice(-400) || "empty";
}
