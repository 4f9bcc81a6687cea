// Protects: planned switchovers that always end well, on a real PostgreSQL
// pair with an agent beside each member (allowed to stop and start its server):
//   - three round trips (A→B, B→A) under write load, watched by the worker's
//     monitor with its split-brain guard as in production (its copy of the
//     inventory seconds old: a member that rejoined and is promoted again at
//     once must not be stopped as a "former primary"): each promotion waits
//     until the candidate replayed the fenced primary's last WAL, the old
//     primary rejoins as a replica without a rebuild (it follows as it is),
//     every acknowledged write is on the final primary, and the new primary
//     keeps a slot for the old one, which streams through it;
//   - a candidate that cannot catch up: nothing is promoted and the old
//     primary takes writes again;
//   - slots kept and dropped: the keeper gives each replica its slot, and
//     drops the slot of a member gone from the inventory once nothing uses it.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { slotNameFor } from "@/lib/agent-protocol/postgres-slots";
import { enrolledPair, takesWrites, type EnrolledPair, promoteAndWait } from "@/worker/testing/pg-cluster";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "switchover-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
let enrolled: EnrolledPair;

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "switchover-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor, rebuildExecutor, refenceFormerPrimary } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  enrolled = await enrolledPair("switchover", { control: true });
  cleanups.push(() => enrolled.stop());
  let monitor: InstanceType<typeof Monitor> | null = null;
  // The monitor reloads the inventory while the old primary is still FENCED, just before it rejoins:
  // its copy then says "former primary" when that member is promoted again in the next round.
  const beforeStep = async (step: string) => void (step === "rejoin" && (await monitor?.refresh()));
  const runner = new OperationRunner(
    db,
    "switchover-worker",
    { "db.promote": promoteExecutor({ catchUpWaitMs: 3000, beforeStep }), "db.rebuild": rebuildExecutor },
    { listenUrl: database.url() },
  );
  runner.start();
  cleanups.push(() => runner.stop());
  const recorder = new Recorder(db);
  recorder.start();
  // The production refresh (5 s): the monitor's targets lag the inventory through each round.
  monitor = new Monitor(recorder, {
    refreshMs: 60_000,
    fingerprint: null,
    onFormerPrimaryWritable: (t) => refenceFormerPrimary(db, t),
  });
  await monitor.start();
  cleanups.push(
    () => recorder.stop(),
    () => monitor?.stop(),
  );
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const promote = (candidateId: string, expectedPrimaryId: string) => promoteAndWait(enrolled.clusterId, candidateId, expectedPrimaryId);

/** Inserts ids one after the other into whichever server takes them, and remembers the ones acknowledged. */
function writer(urls: string[]) {
  const acked: number[] = [];
  let failed = 0;
  let stop = false;
  let current = 0;
  const loop = (async () => {
    let id = 0;
    while (!stop) {
      id += 1;
      const c = new pg.Client({ connectionString: urls[current], connectionTimeoutMillis: 2000, statement_timeout: 2000 });
      c.on("error", () => {});
      try {
        await c.connect();
        await c.query("INSERT INTO acked (id) VALUES ($1)", [id]);
        acked.push(id);
      } catch {
        failed += 1;
        current = (current + 1) % urls.length;
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        await c.end().catch(() => {});
      }
    }
  })();
  return {
    acked,
    failed: () => failed,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

it("three switchover round trips under write load: the old primary rejoins each time, no acknowledged write lost", async () => {
  const { db } = await import("@/lib/db");
  const { pair, primaryId: a, replicaId: b } = enrolled;
  await query(pair.primaryUrl, "CREATE TABLE acked (id int PRIMARY KEY)");
  const load = writer([pair.primaryUrl, pair.replicaUrl]);
  await waitFor("writes flowing", async () => load.acked.length > 20, 10_000, 20);

  let [primary, replica] = [a, b];
  for (let round = 1; round <= 6; round++) {
    const done = await promote(replica, primary);
    expect(done.state, `round ${round}: ${done.error ?? ""}\n${JSON.stringify(done.steps, null, 1)}`).toBe("SUCCEEDED");
    const steps = new Map(done.steps.map((s) => [s.step, s.detail ?? ""]));
    expect(steps.get("caught-up")).toMatch(/replayed .* WAL up to/);
    expect(steps.get("stopped")).toMatch(/stopped/);
    // A clean switchover: it follows as it is, no pg_rewind, no clone.
    expect(steps.get("rejoined"), JSON.stringify(done.steps, null, 1)).toMatch(/\(follow\)$/);
    expect(steps.get("succeeded")).toMatch(/rejoined as its replica/);
    [primary, replica] = [replica, primary];
    const members = await db.databaseInstance.findMany({ where: { clusterId: enrolled.clusterId }, select: { id: true, role: true, fence: true } });
    expect(members.find((m) => m.id === primary)).toMatchObject({ role: "PRIMARY", fence: "NONE" });
    expect(members.find((m) => m.id === replica)).toMatchObject({ role: "REPLICA", fence: "NONE" });
    // Writes keep coming on the new primary before the next round.
    const before = load.acked.length;
    await waitFor(`writes after round ${round}`, async () => load.acked.length > before + 10, 20_000, 20);
  }
  await load.stop();

  // Six switchovers back to where it started: pg-a is the primary again.
  expect(primary).toBe(a);
  const rows = await query<{ id: number }>(pair.primaryUrl, "SELECT id FROM acked");
  const stored = new Set(rows.map((r) => r.id));
  const lost = load.acked.filter((id) => !stored.has(id));
  expect(lost, `${lost.length} of ${load.acked.length} acknowledged writes missing`).toEqual([]);
  expect(load.acked.length).toBeGreaterThan(100);
  expect(await takesWrites(pair.replicaUrl)).toBe(false);

  // The primary keeps the replica's slot, and the replica streams through it.
  const slots = await query<{ slot_name: string; active: boolean }>(pair.primaryUrl, "SELECT slot_name, active FROM pg_replication_slots");
  expect(slots).toEqual([{ slot_name: slotNameFor(b), active: true }]);
  const streaming = await query<{ application_name: string }>(pair.primaryUrl, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
  expect(streaming.map((r) => r.application_name)).toEqual(["pg-b"]);
}, 300_000);

it("a candidate that cannot catch up is not promoted, and the old primary takes writes again", async () => {
  const { pair, primaryId: a, replicaId: b } = enrolled;
  // The replica stops receiving (it follows a port nothing listens on); the primary keeps writing.
  const { conninfo } = (await query<{ conninfo: string }>(pair.replicaUrl, "SELECT current_setting('primary_conninfo') AS conninfo"))[0]!;
  await query(pair.replicaUrl, `ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/port=\d+/, "port=1").replace(/'/g, "''")}'`);
  await query(pair.replicaUrl, "SELECT pg_reload_conf()");
  await waitFor(
    "the replica to stop receiving",
    async () => (await query(pair.replicaUrl, "SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'")).length === 0,
    10_000,
    100,
  );
  await query(pair.primaryUrl, "INSERT INTO acked SELECT g FROM generate_series(1000000, 1000100) g");

  const done = await promote(b, a);
  expect(done.state).toBe("FAILED");
  expect(done.error ?? "").toMatch(/did not replay .* within 3 s.*Nothing was promoted; pg-a takes writes again/);
  expect(await takesWrites(pair.primaryUrl)).toBe(true);
  expect((await query<{ r: boolean }>(pair.replicaUrl, "SELECT pg_is_in_recovery() AS r"))[0]!.r).toBe(true);

  // Put the replica back: it catches up, nothing was lost.
  await query(pair.replicaUrl, `ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/'/g, "''")}'`);
  await query(pair.replicaUrl, "SELECT pg_reload_conf()");
  await waitFor(
    "the replica to catch up",
    async () => (await query<{ n: string }>(pair.replicaUrl, "SELECT count(*) AS n FROM acked WHERE id >= 1000000"))[0]!.n === "101",
    20_000,
    100,
  );
}, 120_000);

it("keeps a slot per replica and drops the slot of a member gone from the inventory once nothing streams through it", async () => {
  const { db } = await import("@/lib/db");
  const { deleteDatabase } = await import("@/lib/inventory/databases");
  const { SlotKeeper } = await import("@/worker/db-slots");
  const { pair, replicaId: b } = enrolled;
  const keeper = new SlotKeeper(db);
  await keeper.keep();
  const slots = () => query<{ slot_name: string; active: boolean }>(pair.primaryUrl, "SELECT slot_name, active FROM pg_replication_slots");
  expect(await slots()).toEqual([{ slot_name: slotNameFor(b), active: true }]);

  // Gone from the inventory but still streaming: the slot stays while it is in use.
  await deleteDatabase(b, audit);
  await keeper.keep();
  expect(await slots()).toEqual([{ slot_name: slotNameFor(b), active: true }]);
  await pair.replica.stop();
  await waitFor("the slot idle", async () => (await slots()).every((s) => !s.active), 10_000, 100);
  await keeper.keep();
  expect(await slots()).toEqual([]);
  // The primary's WAL is capped for slots: a dead replica cannot fill its disk.
  const { limit } = (await query<{ limit: string }>(pair.primaryUrl, "SELECT current_setting('max_slot_wal_keep_size') AS limit"))[0]!;
  expect(limit).toBe("1GB");
}, 60_000);
