// Protects: postgres.rebuild always ends in a streaming replica of the new
// primary that keeps its OWN configuration (port, postgresql.conf), by the
// cheapest method (follow, pg_rewind, fresh clone), from any state a failover
// or an earlier attempt left it in. Real PostgreSQL 15 pairs (lab/postgres.ts):
// `a` is the lab's primary (the member rebuilt), `b` its replica (promoted).
import { existsSync, readdirSync } from "node:fs";
import { appendFile, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PG_BIN_DIR, type PostgresPairHandle, query, startPostgresPair } from "@/lab/postgres";
import { freePort } from "@/lab/ports";
import { run, waitFor } from "@/lab/process";
import { createPostgresDriver } from "./postgres";
import type { Driver } from "./types";

type Answer = { rebuilt: true; method: string; steps: string[]; following: string };

function memberDriver(pair: PostgresPairHandle): Driver {
  const runAs = process.getuid?.() === 0 ? { runAs: "postgres" } : {};
  return createPostgresDriver({
    url: pair.primaryUrl,
    timeoutMs: 2000,
    stop: { pgCtl: path.join(DEFAULT_PG_BIN_DIR, "pg_ctl"), dataDir: pair.primary.dataDir, ...runAs },
  });
}

const rebuild = (driver: Driver, pair: PostgresPairHandle, extra: { slot?: string; applicationName?: string } = {}) =>
  driver.act({ action: "postgres.rebuild", host: "127.0.0.1", port: pair.replica.port, ...extra }) as Promise<Answer>;

async function one<T>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  return (await query<{ v: T }>(url, sql, params))[0]!.v;
}

/** The replica has replayed all the primary wrote, then is promoted. */
async function promoteB(pair: PostgresPairHandle): Promise<void> {
  await query(pair.replicaUrl, "SELECT pg_promote(true, 30)");
}

async function replayedAll(pair: PostgresPairHandle): Promise<void> {
  const lsn = await one<string>(pair.primaryUrl, "SELECT pg_current_wal_lsn()::text AS v");
  await waitFor("the replica to replay everything", async () => one<boolean>(pair.replicaUrl, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS v", [lsn]));
}

/** The rebuilt member streams from b under `name`, a row written on b arrives, and it listens on its own port. */
async function streamsFromB(pair: PostgresPairHandle, name: string): Promise<void> {
  await waitFor(`${name} streaming on b`, async () =>
    one<boolean>(pair.replicaUrl, "SELECT count(*) = 1 AS v FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'", [name]),
  );
  const token = `row-${Date.now()}`;
  await query(pair.replicaUrl, "CREATE TABLE IF NOT EXISTS arrivals (v text)");
  await query(pair.replicaUrl, "INSERT INTO arrivals VALUES ($1)", [token]);
  // pair.primaryUrl names a's own port: reaching it there is the proof it kept it.
  await waitFor("the row on the rebuilt member", async () => one<boolean>(pair.primaryUrl, "SELECT count(*) = 1 AS v FROM arrivals WHERE v = $1", [token]));
  expect(await one<boolean>(pair.primaryUrl, "SELECT pg_is_in_recovery() AS v")).toBe(true);
  expect(await one<string>(pair.primaryUrl, "SELECT current_setting($$port$$) AS v")).toBe(String(pair.primary.port));
}

/** a's postgresql.conf is its own (the lab appends a's port; b's copy also says it is the replica). */
async function ownConfig(pair: PostgresPairHandle): Promise<void> {
  const conf = await readFile(path.join(pair.primary.dataDir, "postgresql.conf"), "utf8");
  expect(conf).toContain(`port = ${pair.primary.port}`);
  expect(conf).not.toContain("lab/postgres.ts: a replica");
  expect(conf).not.toContain(`port = ${pair.replica.port}`);
}

const movedAside = (pair: PostgresPairHandle) => readdirSync(pair.dir).filter((n) => n.startsWith("primary.old-"));

/** A fresh pair and a driver for member a, for one describe block: each test there breaks its pair. */
function freshPair(): { pair: PostgresPairHandle; driver: Driver } {
  const ctx = {} as { pair: PostgresPairHandle; driver: Driver };
  beforeAll(async () => {
    ctx.pair = await startPostgresPair();
    ctx.driver = memberDriver(ctx.pair);
  });
  afterAll(async () => {
    await ctx.driver?.close();
    await ctx.pair?.stop();
  });
  return ctx;
}

describe("rebuild after a clean switchover", () => {
  const ctx = freshPair();

  it("follows without pg_rewind, keeps its own port, streams", async () => {
    const { pair, driver } = ctx;
    await query(pair.primaryUrl, "CREATE TABLE before_switch (v int)");
    await replayedAll(pair);
    await pair.primary.stop("fast");
    await promoteB(pair);
    const answer = await rebuild(driver, pair);
    expect(answer).toMatchObject({ rebuilt: true, method: "follow", following: `127.0.0.1:${pair.replica.port}` });
    expect(answer.steps[0]).toMatch(/^own configuration saved \(4 files/);
    expect(answer.steps).toContain("started as a standby");
    expect(answer.steps.join("\n")).toMatch(/no rewind needed: its last checkpoint .* on timeline 1 is before the fork/);
    // No application_name given and none of its own: it streams under its cluster_name, not b's "replica".
    await streamsFromB(pair, "primary");
    await ownConfig(pair);
    // The stash is gone (the folder keeps the server's log).
    expect(existsSync(`${pair.primary.dataDir}.clusterdeck/manifest.json`)).toBe(false);
  });
});

describe("rebuild after a crash with divergence", () => {
  const ctx = freshPair();

  it("rewinds, drops the diverged row, follows under the given slot and application_name, own configuration", async () => {
    const { pair, driver } = ctx;
    await promoteB(pair);
    await query(pair.primaryUrl, "CREATE TABLE diverged (v int)");
    await query(pair.primaryUrl, "INSERT INTO diverged VALUES (1)");
    await pair.primary.kill();
    const noSlot = (await rebuild(driver, pair, { slot: "member_a" }).catch((e: unknown) => e)) as Error & { status: number };
    expect(noSlot.status).toBe(409);
    expect(noSlot.message).toMatch(/has no physical replication slot member_a\. The member is stopped/);
    await query(pair.replicaUrl, "SELECT pg_create_physical_replication_slot('member_a')");
    const answer = await rebuild(driver, pair, { slot: "member_a", applicationName: "pg-a.1" });
    expect(answer.method, answer.steps.join("\n")).toBe("rewind");
    expect(answer.steps).toContain("not running: stale postmaster.pid removed (it had crashed)");
    expect(answer.steps.join("\n")).toMatch(/pg_rewind needed: it was not shut down cleanly \(in production\)/);
    expect(answer.steps.join("\n")).toMatch(/pg_rewind: servers diverged at/);
    await streamsFromB(pair, "pg-a.1");
    await ownConfig(pair);
    expect(await one<string>(pair.primaryUrl, "SELECT current_setting($$primary_slot_name$$) AS v")).toBe("member_a");
    expect(await one<boolean>(pair.replicaUrl, "SELECT active AS v FROM pg_replication_slots WHERE slot_name = 'member_a'")).toBe(true);
    expect(await one<string>(pair.primaryUrl, "SELECT to_regclass('diverged')::text AS v")).toBeNull();
    const auto = await readFile(path.join(pair.primary.dataDir, "postgresql.auto.conf"), "utf8");
    expect(auto).toMatch(/^primary_conninfo = '.*application_name=pg-a\.1.*'$/m);
    expect(auto).not.toContain("application_name=replica");
  });
});

describe("rebuild after failed attempts", () => {
  const ctx = freshPair();

  it("a rebuild towards nothing fails without harm; the next one succeeds", async () => {
    const { pair, driver } = ctx;
    await pair.primary.stop("fast");
    await promoteB(pair);
    const nothing = await freePort();
    const failed = (await driver.act({ action: "postgres.rebuild", host: "127.0.0.1", port: nothing }).catch((e: unknown) => e)) as Error & { status: number };
    expect(failed.status).toBe(502);
    expect(failed.message).toMatch(
      new RegExp(
        `cannot reach the new primary at 127\\.0\\.0\\.1:${nothing}.*The member is stopped, its data folder in place; its own configuration is saved in`,
      ),
    );
    // Intact and startable as it was (a primary still: nothing was changed).
    await pair.primary.start();
    expect(await one<boolean>(pair.primaryUrl, "SELECT pg_is_in_recovery() AS v")).toBe(false);
    await query(pair.primaryUrl, "CREATE TABLE after_failed_rebuild (v int)");
    const answer = await rebuild(driver, pair);
    expect(answer.steps[0]).toMatch(/^own configuration saved by an earlier attempt reused \(4 files/);
    expect(answer.steps).toContain("stopped");
    expect(answer.method).toBe("rewind"); // it wrote after the fork
    await streamsFromB(pair, "primary");
    await ownConfig(pair);
  });

  it("a member an older release left half-rebuilt (b's configuration copied in, backup_label, no stash) ends on its own port", async () => {
    const { pair, driver } = ctx;
    // a becomes a primary again (split brain), writes, stops: it has diverged from b.
    await query(pair.primaryUrl, "SELECT pg_promote(true, 30)");
    await query(pair.primaryUrl, "CREATE TABLE split_brain (v int)");
    await pair.primary.stop("fast");
    // What the old rebuild did: pg_rewind (which copies b's configuration), primary_conninfo, standby.signal;
    // its start then failed on b's port.
    const source = new URL(pair.replicaUrl).toString();
    const rewind = [path.join(DEFAULT_PG_BIN_DIR, "pg_rewind"), "--target-pgdata", pair.primary.dataDir, "--source-server", source];
    const result = await run(
      ...((process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", ...rewind]] : [rewind[0]!, rewind.slice(1)]) as [string, string[]]),
    );
    expect(result.code, result.stderr).toBe(0);
    await appendFile(
      path.join(pair.primary.dataDir, "postgresql.auto.conf"),
      `primary_conninfo = 'host=127.0.0.1 port=${pair.replica.port} user=replicator'\n`,
    );
    await writeFile(path.join(pair.primary.dataDir, "standby.signal"), "");
    expect(await readFile(path.join(pair.primary.dataDir, "postgresql.conf"), "utf8")).toContain("lab/postgres.ts: a replica");
    expect(existsSync(path.join(pair.primary.dataDir, "backup_label"))).toBe(true);
    expect(existsSync(`${pair.primary.dataDir}.clusterdeck/manifest.json`)).toBe(false);

    const answer = await rebuild(driver, pair, { applicationName: "pg-a" });
    const said = answer.steps.join("\n");
    expect(said).toContain(`port ${pair.primary.port} set in postgresql.auto.conf`);
    // pg_rewind's work was whole (minimum recovery point on b's history): only the start was missing.
    expect(answer.method, said).toBe("follow");
    await streamsFromB(pair, "pg-a");
  });
});

describe("rebuild where pg_rewind cannot work", () => {
  const ctx = freshPair();

  it("falls back to a fresh clone, keeps its own configuration, removes the old folder", async () => {
    const { pair, driver } = ctx;
    await promoteB(pair);
    await query(pair.primaryUrl, "CREATE TABLE lost_on_a (v int)");
    await pair.primary.stop("fast");
    // Its WAL is gone: pg_rewind cannot find where it diverged.
    const wal = path.join(pair.primary.dataDir, "pg_wal");
    for (const name of await readdir(wal)) if (/^[0-9A-F]{24}$/.test(name)) await rm(path.join(wal, name));
    const answer = await rebuild(driver, pair);
    const said = answer.steps.join("\n");
    expect(answer.method, said).toBe("clone");
    expect(said).toMatch(/pg_rewind failed: .*; falling back to a fresh clone/);
    expect(said).toMatch(/free space: .* needed, .* available/);
    expect(said).toMatch(/old data folder moved aside to .*primary\.old-\d{8}T\d{6}Z/);
    expect(said).toMatch(/pg_basebackup from 127\.0\.0\.1:\d+ done \(\d/);
    expect(answer.steps.at(-1)).toBe("old data folder removed");
    expect(movedAside(pair)).toEqual([]);
    await streamsFromB(pair, "primary");
    await ownConfig(pair);
    expect(await one<string>(pair.primaryUrl, "SELECT to_regclass('lost_on_a')::text AS v")).toBeNull();
  });

  it("a data folder a clone left half-made, its old one moved aside: the old one is put back, then followed", async () => {
    const { pair, driver } = ctx;
    await pair.primary.stop("fast");
    const aside = `${pair.primary.dataDir}.old-20260101T000000Z`;
    await rename(pair.primary.dataDir, aside);
    await mkdir(path.join(pair.primary.dataDir, "base"), { recursive: true });
    const answer = await rebuild(driver, pair);
    expect(answer.steps[0]).toBe(`an earlier clone did not finish: its partial folder removed, the old data folder put back from ${aside}`);
    expect(answer.method, answer.steps.join("\n")).toBe("follow");
    expect(movedAside(pair)).toEqual([]);
    await streamsFromB(pair, "primary");
  });

  it("a damaged global/pg_control: no follow verdict from it, pg_rewind refuses, a clone", async () => {
    const { pair, driver } = ctx;
    await pair.primary.stop("fast");
    const control = path.join(pair.primary.dataDir, "global", "pg_control");
    const bytes = await readFile(control);
    bytes.fill(0, 0, 64);
    await writeFile(control, bytes);
    const answer = await rebuild(driver, pair);
    const said = answer.steps.join("\n");
    expect(answer.method, said).toBe("clone");
    expect(said).toMatch(/pg_rewind needed: pg_controldata could not tell \(pg_control is damaged/);
    expect(movedAside(pair)).toEqual([]);
    await streamsFromB(pair, "primary");
    await ownConfig(pair);
  });
});
