// postgres.rebuild: this member becomes a streaming replica of host:port, by
// the cheapest method that works, from whatever state it is in (running,
// stopped, crashed, or left half-way by an earlier attempt):
//   follow  it holds nothing the new primary lacks: standby settings and a start;
//   rewind  pg_rewind from the new primary, then the same;
//   clone   pg_basebackup into a fresh folder (postgres-clone.ts).
// Each method falls through to the next when it fails or the member does not
// come up streaming. The member's own configuration survives all three
// (postgres-config-stash.ts).
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { ActionError } from "./types";
import { type Control, ensureStopped, pgTool, runningPid } from "./postgres-control";
import { parseConninfo, withConninfo } from "./postgres-conf";
import { restoreStash, settingOf, stashDirOf, stashedConfig, takeStash, dropStash } from "./postgres-config-stash";
import { type FollowDecision, followDecision, historyFileName, parseControlData, parseHistory, parseLsn, type Source } from "./postgres-timeline";
import { prepareStandby, startStandby, type RebuildContext } from "./postgres-standby";
import { cloneFrom, putBackUnfinishedClone } from "./postgres-clone";

export type RebuildTarget = { host: string; port: number; slot?: string; applicationName?: string };
export type RebuildAnswer = { rebuilt: true; method: "follow" | "rewind" | "clone"; steps: string[]; following: string };

type SourceInfo = Source & { conninfo: string; bytes: number };

// Set while pg_rewind runs: one that stopped half-way leaves a folder nothing can trust.
const rewindMarkOf = (control: Control) => path.join(stashDirOf(control.dataDir), "rewind-started");

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The agent's URL pointed at host:port: the new primary, reached with the agent's (superuser) credentials. */
function sourceUrl(url: string, host: string, port: number): URL {
  const u = new URL(url);
  u.hostname = host.includes(":") ? `[${host}]` : host;
  u.port = String(port);
  return u;
}

async function readSource(url: string, target: RebuildTarget): Promise<SourceInfo> {
  const client = new pg.Client({
    connectionString: sourceUrl(url, target.host, target.port).toString(),
    connectionTimeoutMillis: 5000,
    statement_timeout: 15_000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new ActionError(502, `cannot reach the new primary at ${target.host}:${target.port}: ${(error as Error).message}`);
  }
  try {
    const row = (
      await client.query<{ rec: boolean; walfile: string | null; lsn: string | null; conninfo: string; bytes: string }>(
        `SELECT pg_is_in_recovery() AS rec,
           CASE WHEN NOT pg_is_in_recovery() THEN pg_walfile_name(pg_current_wal_lsn()) END AS walfile,
           CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END AS lsn,
           current_setting('primary_conninfo') AS conninfo,
           (SELECT sum(pg_database_size(oid)) FROM pg_database)::text AS bytes`,
      )
    ).rows[0]!;
    if (row.rec) throw new ActionError(409, `${target.host}:${target.port} is in recovery, not a primary`);
    // A missing slot would only show as a standby that never streams, after every method was tried.
    if (target.slot) {
      const slot = await client.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND slot_type = 'physical'", [target.slot]);
      if (slot.rowCount === 0) throw new ActionError(409, `${target.host}:${target.port} has no physical replication slot ${target.slot}`);
    }
    const tli = Number.parseInt(row.walfile!.slice(0, 8), 16);
    let history: Source["history"] = [];
    if (tli > 1) {
      // Superuser (or pg_read_server_files): without it the follow check is undecided and pg_rewind decides.
      const text = await client.query<{ h: string }>("SELECT pg_read_file($1) AS h", [`pg_wal/${historyFileName(tli)}`]).then(
        (r) => r.rows[0]!.h,
        () => null,
      );
      history = text === null ? null : parseHistory(text);
    }
    return { tli, lsn: parseLsn(row.lsn!), history, conninfo: row.conninfo, bytes: Number(row.bytes) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * primary_conninfo for following host:port: the new primary's own (it was a
 * replica: the replication user, passfile, sslmode…) or else this member's
 * saved one, pointed at host:port, with this member's application_name (the
 * one asked for, or its own former one; never the new primary's).
 */
async function replicationConninfo(control: Control, source: SourceInfo, target: RebuildTarget): Promise<string> {
  const own = settingOf(await stashedConfig(control.dataDir), "primary_conninfo") ?? "";
  const base = source.conninfo.trim() ? source.conninfo : own;
  if (!base.trim())
    throw new ActionError(
      409,
      `neither ${target.host}:${target.port} nor this member's configuration has a primary_conninfo to take the replication user from: set up replication by hand`,
    );
  const ownName = parseConninfo(own).find(([k]) => k === "application_name")?.[1] ?? null;
  return withConninfo(base, { host: target.host, port: target.port, application_name: target.applicationName ?? ownName });
}

async function followCheck(control: Control, source: Source): Promise<FollowDecision> {
  try {
    const member = parseControlData(await pgTool(control, "pg_controldata", ["-D", control.dataDir], 30_000));
    let history = null;
    if (member.checkpointTli > 1) {
      const text = await readFile(path.join(control.dataDir, "pg_wal", historyFileName(member.checkpointTli)), "utf8").catch(() => null);
      history = text === null ? null : parseHistory(text);
    }
    return followDecision(member, history, source);
  } catch (error) {
    return { follow: false, why: `pg_controldata could not tell (${(error as Error).message.slice(0, 200)})` };
  }
}

/** pg_rewind from the new primary, with the member's own configuration in place for its crash recovery. */
async function rewind(ctx: RebuildContext, url: string): Promise<void> {
  const { control } = ctx;
  await restoreStash(control.dataDir);
  // Single-user crash recovery (run by pg_rewind on an unclean member) refuses standby mode.
  for (const signal of ["standby.signal", "recovery.signal"]) await rm(path.join(control.dataDir, signal), { force: true });
  const source = sourceUrl(url, ctx.host, ctx.port);
  const password = decodeURIComponent(source.password);
  source.password = "";
  await writeFile(rewindMarkOf(control), new Date().toISOString());
  const out = await pgTool(
    control,
    "pg_rewind",
    ["--target-pgdata", control.dataDir, "--source-server", source.toString()],
    3600_000,
    password ? { PGPASSWORD: password } : {},
  );
  await rm(rewindMarkOf(control), { force: true });
  const said = out
    .split("\n")
    .map((l) => l.replace(/^pg_rewind: /, "").trim())
    .filter((l) => /no rewind required|diverged|common checkpoint/.test(l));
  ctx.steps.push(`pg_rewind: ${said.join("; ") || "done"}`);
}

/** What the member is left in after a failure, for the message. */
async function leftState(control: Control): Promise<string> {
  const running = (await runningPid(control.dataDir)) !== null;
  const there = await exists(path.join(control.dataDir, "global", "pg_control"));
  const stash = (await exists(path.join(stashDirOf(control.dataDir), "manifest.json")))
    ? `; its own configuration is saved in ${stashDirOf(control.dataDir)}`
    : "";
  return `The member is ${running ? "running" : "stopped"}, its data folder ${there ? "in place" : "missing"}${stash}; a new rebuild resumes from here`;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 500);

/** Own configuration and standby settings, started and streaming; false (the member stopped again) when not. */
async function comesUp(ctx: RebuildContext, failed: string, next: string): Promise<boolean> {
  try {
    await prepareStandby(ctx);
    await startStandby(ctx);
    return true;
  } catch (error) {
    ctx.steps.push(`${failed}: ${firstLine(error)}; ${next}`);
    const stopped = await ensureStopped(ctx.control);
    if (stopped) ctx.steps.push(stopped);
    return false;
  }
}

async function rewound(ctx: RebuildContext, url: string): Promise<boolean> {
  try {
    await rewind(ctx, url);
  } catch (error) {
    ctx.steps.push(`pg_rewind failed: ${firstLine(error).replace(/^pg_rewind failed: /, "")}; falling back to a fresh clone`);
    return false;
  }
  return comesUp(ctx, "the rewound member did not come up as a standby", "falling back to a fresh clone");
}

export async function rebuild(control: Control, url: string, target: RebuildTarget): Promise<RebuildAnswer> {
  const following = `${target.host}:${target.port}`;
  const steps: string[] = [];
  const ctx: RebuildContext = { control, url, host: target.host, port: target.port, slot: target.slot, conninfo: "", steps };
  const say = (step: string | null) => step && steps.push(step);
  try {
    say(await putBackUnfinishedClone(control.dataDir));
    if (await exists(control.dataDir)) say(await takeStash(control.dataDir));
    else if (!(await exists(path.join(stashDirOf(control.dataDir), "manifest.json"))))
      throw new ActionError(409, `the data folder ${control.dataDir} is missing and no configuration of this member is saved: nothing to rebuild from`);
    const source = await readSource(url, target);
    ctx.conninfo = await replicationConninfo(control, source, target);
    say(await ensureStopped(control));

    let method: RebuildAnswer["method"] = "clone";
    if (await exists(rewindMarkOf(control))) {
      say("an earlier pg_rewind did not finish: this data folder cannot be trusted; a fresh clone");
    } else if (await exists(control.dataDir)) {
      const decision = await followCheck(control, source);
      say(`${decision.follow ? "no rewind needed" : "pg_rewind needed"}: ${decision.why}`);
      if (decision.follow && (await comesUp(ctx, "did not come up as a standby", "trying pg_rewind"))) method = "follow";
      else if (await rewound(ctx, url)) method = "rewind";
    }
    if (method === "clone") await cloneFrom(ctx, source.bytes);
    await dropStash(control.dataDir);
    await rm(rewindMarkOf(control), { force: true });
    return { rebuilt: true, method, steps, following };
  } catch (error) {
    const status = error instanceof ActionError ? error.status : 502;
    throw new ActionError(
      status,
      `rebuild as a standby of ${following} failed: ${firstLine(error)}. ${await leftState(control)}. Steps: ${steps.join("; ") || "none"}`,
    );
  }
}
