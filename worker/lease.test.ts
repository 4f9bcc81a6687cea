// Protects: exactly one worker leads; a stopped leader is replaced at once,
// a vanished one (no renewals) within the lease time; the epoch grows with
// every change of leader.
import { afterAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { createPrismaClient, type Db } from "@/lib/db/client";
import { LeaderLease } from "@/worker/lease";

const database = setupTestDatabase();
const clients: Db[] = [];
afterAll(async () => Promise.all(clients.map((c) => c.$disconnect())));

function worker(name: string, log: string[], ttlMs = 1500, renewMs = 300) {
  const db = createPrismaClient(database.url());
  clients.push(db);
  return new LeaderLease(
    db,
    "monitor",
    name,
    { onElected: (e) => void log.push(`${name} elected ${e}`), onDeposed: (w) => void log.push(`${name} deposed: ${w}`) },
    ttlMs,
    renewMs,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

it("elects one leader, hands over on stop, and takes over from a silent leader after expiry", async () => {
  const log: string[] = [];
  const a = worker("a", log);
  const b = worker("b", log);
  a.start();
  await waitFor(() => a.isLeader, 5000);
  b.start();
  await sleep(900);
  expect(a.isLeader, log.join("; ")).toBe(true);
  expect(b.isLeader, log.join("; ")).toBe(false);

  // A leader that stops cleanly hands over at the standby's next try.
  await a.stop();
  await waitFor(() => b.isLeader, 2000);
  expect(b.currentEpoch).toBe(2);

  // A leader that stops renewing without saying so (a crash, a SIGSTOP).
  const c = worker("c", log);
  (b as unknown as { stopped: boolean }).stopped = true;
  c.start();
  const tookOver = await waitFor(() => c.isLeader, 5000);
  // Within the lease time plus one standby poll (and slack for a busy machine).
  expect(tookOver).toBeLessThan(1500 + 250 + 700);
  expect(c.currentEpoch).toBe(3);
  await c.stop();
  expect(log.filter((l) => l.includes("elected"))).toEqual(["a elected 1", "b elected 2", "c elected 3"]);
});
