// The postgres driver against real PostgreSQL 15 streaming replication
// (lab/postgres.ts). The drivers connect as a pg_monitor-only role, as an agent
// would; the tests steer the servers as superuser.
import net from "node:net";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStatus } from "@/lib/agent-protocol/types";
import { type PostgresPairHandle, startPostgresPair } from "@/lab/postgres";
import { waitFor } from "@/lab/process";
import { createPostgresDriver } from "./postgres";
import { ActionError, type Driver, type DriverReport } from "./types";
import { exposition } from "../prom";

function pgOf(report: DriverReport) {
  if (!("postgres" in report)) throw new Error("not a postgres report");
  return postgresStatus.parse(report.postgres); // what the worker will accept
}

function lsn(text: string | null | undefined): bigint {
  if (!text) throw new Error("no LSN");
  const [hi, lo] = text.split("/");
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

describe("createPostgresDriver config", () => {
  it("refuses bad or unknown fields", async () => {
    expect(() => createPostgresDriver({})).toThrow(/url/);
    expect(() => createPostgresDriver({ url: "mysql://x" })).toThrow(/postgresql:\/\//);
    expect(() => createPostgresDriver({ url: "postgresql://x/y", pool: 5 })).toThrow(/pool/);
    const driver = createPostgresDriver({ url: "postgresql://u:secret@127.0.0.1:1/db", timeoutMs: 500 });
    expect(driver.role).toBe("postgres");
    // Nothing listens on port 1: DOWN, with the endpoint but never the password.
    const report = await driver.collect();
    expect(report.health).toBe("DOWN");
    expect(report.reasons[0]).toMatch(/^cannot reach PostgreSQL at 127\.0\.0\.1:1: /);
    expect(report.reasons.join(" ")).not.toContain("secret");
    await driver.close();
  });
});

describe("postgres driver against a hung server", () => {
  it("reports DOWN within its timeout", async () => {
    // Accepts connections and never says a word.
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => void sockets.push(s)).listen(0, "127.0.0.1");
    await new Promise((r) => hung.once("listening", r));
    const port = (hung.address() as net.AddressInfo).port;
    const driver = createPostgresDriver({ url: `postgresql://u:p@127.0.0.1:${port}/db`, timeoutMs: 300 });
    try {
      const started = Date.now();
      const report = await driver.collect();
      expect(report.health).toBe("DOWN");
      expect(report.reasons[0]).toMatch(/timeout/i);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await driver.close();
      for (const s of sockets) s.destroy();
      hung.close();
    }
  });
});

describe("postgres driver against real streaming replication", () => {
  let pair: PostgresPairHandle;
  let primary: Driver;
  let replica: Driver;

  beforeAll(async () => {
    pair = await startPostgresPair();
    primary = createPostgresDriver({ url: pair.monitorUrl(pair.primary.port) });
    replica = createPostgresDriver({ url: pair.monitorUrl(pair.replica.port), timeoutMs: 2000 });
  });

  afterAll(async () => {
    await primary?.close();
    await replica?.close();
    await pair?.stop();
  });

  it("the primary: not in recovery, timeline 1, one streaming replica", async () => {
    const report = await primary.collect();
    expect(report).toMatchObject({ health: "UP", reasons: [] });
    const p = pgOf(report);
    expect(p).toMatchObject({ inRecovery: false, timeline: 1, replayPaused: false, receivedLsn: null, replayedLsn: null, lagSeconds: null });
    expect(p.currentLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(p.replicas).toHaveLength(1);
    expect(p.replicas[0]).toMatchObject({ applicationName: "replica", clientAddr: "127.0.0.1", state: "streaming", syncState: "async" });
    expect(p.replicas[0]!.lagBytes).toBeGreaterThanOrEqual(0);
  });

  it("the replica: in recovery, timeline, LSNs, small lag, receiver streaming", async () => {
    const report = await replica.collect();
    expect(report).toMatchObject({ health: "UP", reasons: [] });
    const r = pgOf(report);
    expect(r).toMatchObject({ inRecovery: true, timeline: 1, currentLsn: null, replayPaused: false, walReceiverStatus: "streaming", replicas: [] });
    expect(lsn(r.receivedLsn)).toBeGreaterThanOrEqual(lsn(r.replayedLsn));
    expect(r.lagBytes).toBeLessThan(1024 * 1024);
    // Null only while there is WAL to replay but no bound is known yet (fresh replica, nothing replayed).
    if (r.lagBytes! > 0 && r.lagSeconds === null) expect(r.lagBytes).toBeLessThan(64 * 1024);
    else expect(r.lagSeconds!).toBeLessThan(5);
  });

  it("after writes on the primary, the replica's replayed LSN catches up", async () => {
    await sql(pair.primaryUrl, "CREATE TABLE t (id int primary key, pad text)");
    await sql(pair.primaryUrl, "INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
    const target = lsn(pgOf(await primary.collect()).currentLsn);
    const caughtUp = await waitFor("the replica to replay the writes", async () => {
      const r = pgOf(await replica.collect());
      return lsn(r.replayedLsn) >= target ? r : undefined;
    });
    expect(caughtUp.timeline).toBe(1);
    expect((await sql<{ n: string }>(pair.replicaUrl, "SELECT count(*) AS n FROM t"))[0]!.n).toBe("20000");
    // Idle again: no lag, in bytes or in seconds, however old the last transaction gets.
    const idle = await waitFor("the replica to report no lag", async () => {
      const r = pgOf(await replica.collect());
      return r.lagBytes === 0 ? r : undefined;
    });
    expect(idle.lagSeconds).toBe(0);
    // The primary sees the replica's replay position too (reported every second).
    await waitFor("the primary to see the replica caught up", async () => {
      const p = pgOf(await primary.collect());
      return p.replicas[0]?.lagBytes === 0;
    });
  });

  it("exports gauges for both roles", async () => {
    await primary.collect();
    await replica.collect();
    const pm = await exposition((r) => primary.metrics(r));
    expect(pm).toContain("clusterdeck_postgres_up 1");
    expect(pm).toContain("clusterdeck_postgres_in_recovery 0");
    expect(pm).toContain("clusterdeck_postgres_timeline 1");
    expect(pm).toContain("clusterdeck_postgres_replicas 1");
    expect(pm).toMatch(/^clusterdeck_postgres_replica_lag_bytes\{application_name="replica",client_addr="127\.0\.0\.1"\} \d+$/m);
    expect(pm).not.toContain("clusterdeck_postgres_replication_lag_seconds");
    const rm = await exposition((r) => replica.metrics(r));
    expect(rm).toContain("clusterdeck_postgres_in_recovery 1");
    expect(rm).toContain("# TYPE clusterdeck_postgres_replication_lag_bytes gauge");
    expect(rm).toMatch(/^clusterdeck_postgres_replication_lag_seconds \d/m);
    expect(rm).toContain("clusterdeck_postgres_wal_receiver_streaming 1");
    expect(rm).toContain("clusterdeck_postgres_replicas 0");
  });

  it("refuses other roles' actions, and actions that do not fit the server's role", async () => {
    const error = await replica.act({ action: "haproxy.set-state", backend: "a", server: "b", state: "drain" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ status: 422 });
    expect((error as Error).message).toMatch(/does not take haproxy.set-state/);
    // Promoting a primary, or re-pointing it at another, is refused: they are not replicas.
    await expect(primary.act({ action: "postgres.promote", waitSeconds: 5 })).rejects.toMatchObject({ status: 409 });
    await expect(primary.act({ action: "postgres.repoint", host: "127.0.0.1", port: 1 })).rejects.toMatchObject({ status: 409 });
  });

  it("paused replay → the replica is DEGRADED and falls behind", async () => {
    await sql(pair.replicaUrl, "SELECT pg_wal_replay_pause()");
    try {
      const paused = await waitFor("replay paused", async () => {
        const r = await replica.collect();
        return r.health === "DEGRADED" ? r : undefined;
      });
      expect(paused.reasons.join(" ")).toMatch(/replay paused/);
      expect(pgOf(paused).replayPaused).toBe(true);
      expect(pgOf(paused).walReceiverStatus).toBe("streaming");

      await sql(pair.primaryUrl, "INSERT INTO t SELECT g, 'y' FROM generate_series(20001, 21000) g");
      const target = lsn(pgOf(await primary.collect()).currentLsn);
      const behind = await waitFor("the paused replica to receive but not replay", async () => {
        const r = pgOf(await replica.collect());
        return lsn(r.receivedLsn) >= target ? r : undefined;
      });
      expect(lsn(behind.replayedLsn)).toBeLessThan(target);
      expect(behind.lagBytes).toBeGreaterThan(0);
      expect(behind.lagSeconds).toBeGreaterThan(0);
      expect(await exposition((r) => replica.metrics(r))).toContain("clusterdeck_postgres_wal_replay_paused 1");
    } finally {
      await sql(pair.replicaUrl, "SELECT pg_wal_replay_resume()");
    }
    const resumed = await waitFor("replay resumed and caught up", async () => {
      const r = await replica.collect();
      return r.health === "UP" && pgOf(r).lagBytes === 0 ? r : undefined;
    });
    expect(pgOf(resumed).replayPaused).toBe(false);
  });

  it("primary stopped → the replica's WAL receiver stops streaming (DEGRADED), the primary's driver says DOWN; both recover", async () => {
    await pair.primary.stop();
    const down = await primary.collect();
    expect(down.health).toBe("DOWN");
    expect(down.reasons[0]).toMatch(new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${pair.primary.port}`));
    expect(await exposition((r) => primary.metrics(r))).toContain("clusterdeck_postgres_up 0");

    const orphan = await waitFor("the replica to notice", async () => {
      const r = await replica.collect();
      return pgOf(r).walReceiverStatus !== "streaming" ? r : undefined;
    });
    expect(orphan.health).toBe("DEGRADED");
    expect(orphan.reasons.join(" ")).toMatch(/WAL receiver not (running|streaming)/);
    const o = pgOf(orphan);
    expect(o.inRecovery).toBe(true);
    expect(o.timeline).toBe(1); // from the last restartpoint while no receiver runs
    expect(o.lagSeconds).toBeNull(); // unknown: how far the primary got cannot be seen from here
    expect(await exposition((r) => replica.metrics(r))).toContain("clusterdeck_postgres_wal_receiver_streaming 0");

    await pair.primary.start();
    await waitFor("the replica streaming again", async () => (await replica.collect()).health === "UP", { timeoutMs: 20_000 });
    expect((await primary.collect()).health).toBe("UP");
  });

  it("a stopped replica → DOWN with the reason", async () => {
    await pair.replica.stop();
    const report = await replica.collect();
    expect(report.health).toBe("DOWN");
    expect(report.reasons[0]).toMatch(new RegExp(`^cannot reach PostgreSQL at 127\\.0\\.0\\.1:${pair.replica.port}: `));
    const p = await waitFor("the primary to see no replica", async () => {
      const s = pgOf(await primary.collect());
      return s.replicas.length === 0 ? s : undefined;
    });
    expect(p.inRecovery).toBe(false);
  });
});

describe("postgres driver with a synchronous replica", () => {
  let pair: PostgresPairHandle;
  let primary: Driver;
  let replica: Driver;

  beforeAll(async () => {
    pair = await startPostgresPair({ synchronous: true, replicaName: "standby1" });
    primary = createPostgresDriver({ url: pair.monitorUrl(pair.primary.port) });
    replica = createPostgresDriver({ url: pair.monitorUrl(pair.replica.port) });
  });

  afterAll(async () => {
    await primary?.close();
    await replica?.close();
    await pair?.stop();
  });

  it("reports the sync standby, and DEGRADED while it is gone (commits would wait)", async () => {
    const ok = await primary.collect();
    expect(ok.health).toBe("UP");
    expect(pgOf(ok).replicas).toMatchObject([{ applicationName: "standby1", state: "streaming", syncState: "sync" }]);

    await pair.replica.stop();
    const waiting = await primary.collect();
    expect(waiting.health).toBe("DEGRADED");
    expect(waiting.reasons.join(" ")).toMatch(/no synchronous standby/);

    await pair.replica.start();
    await waitFor("the sync standby back", async () => (await primary.collect()).health === "UP");
  });

  it("after a crash of the primary and pg_promote(), the new primary reports the new timeline at once", async () => {
    await pair.primary.kill();
    await waitFor("the replica to lose its primary", async () => pgOf(await replica.collect()).walReceiverStatus !== "streaming");
    await sql(pair.replicaUrl, "SELECT pg_promote(true, 30)");
    const promoted = await replica.collect();
    expect(promoted.health).toBe("UP");
    const p = pgOf(promoted);
    // pg_control_checkpoint() would still say 1 until the post-promotion checkpoint ends.
    expect(p).toMatchObject({ inRecovery: false, timeline: 2, receivedLsn: null, replayedLsn: null, walReceiverStatus: null });
    expect((await primary.collect()).health).toBe("DOWN");
  });
});

describe("postgres driver: replication slots and WAL archiving", () => {
  let pair: PostgresPairHandle;
  let primary: Driver;
  let replica: Driver;
  /** A write and a segment switch: WAL the slots and the archiver have to deal with. */
  const newSegment = async () => {
    await sql(pair.primaryUrl, "CREATE TABLE IF NOT EXISTS churn (pad text); INSERT INTO churn SELECT repeat('z', 500) FROM generate_series(1, 200)");
    await sql(pair.primaryUrl, "SELECT pg_switch_wal()");
  };
  const set = async (url: string, setting: string, value: string) => {
    await sql(url, `ALTER SYSTEM SET ${setting} = ${value}`);
    await sql(url, "SELECT pg_reload_conf()");
  };

  beforeAll(async () => {
    pair = await startPostgresPair();
    primary = createPostgresDriver({ url: pair.monitorUrl(pair.primary.port) });
    replica = createPostgresDriver({ url: pair.monitorUrl(pair.replica.port), timeoutMs: 2000 });
  });

  afterAll(async () => {
    await primary?.close();
    await replica?.close();
    await pair?.stop();
  });

  it("lists the standby like pg_stat_replication, with the slot it streams through; unlimited slots are DEGRADED", async () => {
    await sql(pair.primaryUrl, "SELECT pg_create_physical_replication_slot('clusterdeck_r', true)");
    await set(pair.replicaUrl, "primary_slot_name", "'clusterdeck_r'");
    // Lag times are shown only while WAL flows: write until a report carries them.
    const report = await waitFor("the standby on its slot, with lag times", async () => {
      await sql(pair.primaryUrl, "CREATE TABLE IF NOT EXISTS flow (id int); INSERT INTO flow VALUES (1)");
      const r = await primary.collect();
      const row = pgOf(r).replicas[0];
      return row?.slotName === "clusterdeck_r" && row.replayLagSeconds != null ? r : undefined;
    });
    const p = pgOf(report);
    const row = p.replicas[0]!;
    expect(row).toMatchObject({ applicationName: "replica", clientAddr: "127.0.0.1", state: "streaming", syncState: "async", syncPriority: 0 });
    for (const l of [row.sentLsn, row.writeLsn, row.flushLsn, row.replayLsn]) expect(l).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(lsn(row.writeLsn)).toBeGreaterThanOrEqual(lsn(row.replayLsn));
    expect(row.replayLagSeconds!).toBeGreaterThanOrEqual(0);
    expect(row.replayLagSeconds!).toBeLessThan(5);
    expect(Date.parse(row.backendStart!)).toBeLessThanOrEqual(Date.now());
    expect(p.slots).toHaveLength(1);
    expect(p.slots![0]).toMatchObject({ name: "clusterdeck_r", type: "physical", temporary: false, active: true, walStatus: "reserved" });
    expect(p.slots![0]!.retainedBytes!).toBeGreaterThanOrEqual(0);
    expect(p.maxSlotWalKeepSize).toBe(-1);
    expect(report.health).toBe("DEGRADED");
    expect(report.reasons).toEqual(["max_slot_wal_keep_size is unlimited (-1) with a replication slot: a dead replica can fill the disk"]);
    expect(pgOf(await replica.collect()).primarySlotName).toBe("clusterdeck_r");

    await set(pair.primaryUrl, "max_slot_wal_keep_size", "'64MB'");
    // The metrics are the last collection's; lag times vanish once the standby idles: keep WAL flowing until both hold.
    const bounded = await waitFor("the limit seen, with lag times", async () => {
      await sql(pair.primaryUrl, "INSERT INTO flow VALUES (2)");
      const r = await primary.collect();
      return r.health === "UP" && pgOf(r).replicas[0]?.replayLagSeconds != null ? r : undefined;
    });
    expect(pgOf(bounded).maxSlotWalKeepSize).toBe(64 * 1024 * 1024);
    expect(pgOf(bounded).slots![0]!.safeWalSize!).toBeGreaterThan(0);
    const m = await exposition((r) => primary.metrics(r));
    expect(m).toContain("clusterdeck_postgres_max_slot_wal_keep_size_bytes 67108864");
    expect(m).toContain('clusterdeck_postgres_slot_active{slot_name="clusterdeck_r"} 1');
    expect(m).toContain('clusterdeck_postgres_slot_over_limit{slot_name="clusterdeck_r"} 0');
    expect(m).toMatch(/^clusterdeck_postgres_slot_retained_bytes\{slot_name="clusterdeck_r"\} \d+$/m);
    expect(m).toMatch(/^clusterdeck_postgres_replica_replay_lag_seconds\{application_name="replica",client_addr="127\.0\.0\.1"\} [\d.e-]+$/m);
  });

  it("a dead replica's slot over max_slot_wal_keep_size: unreserved, then lost at the checkpoint, and DEGRADED", async () => {
    await sql(pair.primaryUrl, "SELECT pg_create_physical_replication_slot('clusterdeck_dead', true)");
    // One segment allowed; wal_keep_size would keep the WAL regardless of the slot's limit.
    await set(pair.primaryUrl, "max_slot_wal_keep_size", "'16MB'");
    await set(pair.primaryUrl, "wal_keep_size", "0");
    const over = await waitFor("the dead slot over its limit", async () => {
      await newSegment();
      const r = await primary.collect();
      const dead = pgOf(r).slots?.find((s) => s.name === "clusterdeck_dead");
      return dead?.walStatus === "unreserved" || dead?.walStatus === "lost" ? r : undefined;
    });
    expect(over.health).toBe("DEGRADED");
    expect(over.reasons.join(" ")).toMatch(/replication slot clusterdeck_dead (is over max_slot_wal_keep_size|lost WAL its replica needs)/);
    await sql(pair.primaryUrl, "CHECKPOINT");
    const lost = await waitFor("the dead slot lost", async () => {
      const r = await primary.collect();
      return pgOf(r).slots?.find((s) => s.name === "clusterdeck_dead")?.walStatus === "lost"
        ? r
        : (await newSegment(), await sql(pair.primaryUrl, "CHECKPOINT"), undefined);
    });
    expect(lost.reasons).toContain("replication slot clusterdeck_dead lost WAL its replica needs: that replica can no longer follow and needs a rebuild");
    expect(await exposition((r) => primary.metrics(r))).toContain('clusterdeck_postgres_slot_over_limit{slot_name="clusterdeck_dead"} 1');
    // The live replica's slot keeps up and stays within its limit.
    expect(pgOf(lost).slots?.find((s) => s.name === "clusterdeck_r")?.walStatus).not.toBe("lost");

    await sql(pair.primaryUrl, "SELECT pg_drop_replication_slot('clusterdeck_dead')");
    // Room again for the live replica's slot while the next test restarts the primary.
    await set(pair.primaryUrl, "max_slot_wal_keep_size", "'64MB'");
    await set(pair.primaryUrl, "wal_keep_size", "'256MB'");
    await waitFor("healthy without the dead slot", async () => (await primary.collect()).health === "UP");
  });

  it("archiving: off, then failing (DEGRADED), then recovered", async () => {
    const off = pgOf(await primary.collect()).archiver!;
    expect(off).toMatchObject({ mode: "off", configured: false, failing: false });

    await sql(pair.primaryUrl, "ALTER SYSTEM SET archive_mode = on");
    await sql(pair.primaryUrl, "ALTER SYSTEM SET archive_command = 'false'");
    await pair.primary.stop();
    await pair.primary.start();
    const failing = await waitFor(
      "archiving to fail",
      async () => {
        await newSegment();
        const r = await primary.collect();
        return pgOf(r).archiver?.failing ? r : undefined;
      },
      { intervalMs: 1000 },
    );
    const a = pgOf(failing).archiver!;
    expect(a).toMatchObject({ mode: "on", configured: true, failing: true });
    expect(a.failedCount).toBeGreaterThan(0);
    expect(a.lastFailedWal).toMatch(/^[0-9A-F]{24}$/);
    expect(Date.parse(a.lastFailedAt!)).toBeGreaterThan(0);
    expect(failing.health).toBe("DEGRADED");
    expect(failing.reasons).toContain("WAL archiving is failing: WAL piles up in pg_wal and point-in-time recovery has a gap");
    expect(await exposition((r) => primary.metrics(r))).toContain("clusterdeck_postgres_archive_failing 1");

    // A real copy (run by the server's OS user, into the pair's folder, which it owns).
    const dir = `${pair.dir}/archive`;
    await set(pair.primaryUrl, "archive_command", pg.escapeLiteral(`mkdir -p ${dir} && cp %p ${dir}/%f`));
    const recovered = await waitFor("archiving to succeed", async () => {
      const r = await primary.collect();
      return pgOf(r).archiver?.failing === false ? r : (await newSegment(), undefined);
    });
    const b = pgOf(recovered).archiver!;
    expect(b.archivedCount).toBeGreaterThan(0);
    expect(b.lastArchivedWal).toMatch(/^[0-9A-F]{24}$/);
    expect(Date.parse(b.lastArchivedAt!)).toBeGreaterThanOrEqual(Date.parse(a.lastFailedAt!));
    expect(recovered.reasons).toEqual([]);
    const m = await exposition((r) => primary.metrics(r));
    expect(m).toContain("clusterdeck_postgres_archive_failing 0");
    expect(m).toMatch(/^clusterdeck_postgres_archived_total [1-9]\d*$/m);
  });
});
