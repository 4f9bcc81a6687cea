// Kills parts of a highly available console at random moments, round after
// round, and checks after each that it healed by itself (issue 6: "the HA
// scenarios rerun by hand with processes killed at random moments").
//
//   node --conditions=react-server --import tsx lab/ha-chaos.ts [--rounds 12] [--seed N]
//
// The topology is the HA spec's (lab/console.ts): two web instances, two
// workers, one PostgreSQL, four real agents. Each round starts a rolling
// deployment (one target per batch, a random pause), waits a random 0–6 s,
// then does one of: SIGKILL the leading worker, SIGKILL the standby, SIGKILL a
// web instance, restart PostgreSQL (fast stop, 2 s down). What was killed is
// started again 1–3 s later, as systemd's Restart=always would. Then:
//   - a worker holds the lease again (and how long that took, for a leader kill);
//   - the deployment SUCCEEDED, every target at the revision;
//   - each agent applied it once, or twice when its apply was in flight as the
//     leader died (the new leader sends it again: applying is idempotent);
//   - every node is UP and seen after the round; both web instances answer.
// A round that breaks one of these is reported and the run exits 1.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fleetControl } from "./fleet";
import { healthy, leaseHolder, query, startHaConsole, waitUntil, type HaConsole } from "./console";
import { Rng } from "@/lib/testing/fuzz";

type Fault = "kill leader" | "kill standby" | "kill web" | "restart database";
const FAULTS: Fault[] = ["kill leader", "kill standby", "kill web", "restart database"];

/** The fuzzers' generator (mulberry32), as a function. */
const prng = (seed: number) => {
  const r = new Rng(seed);
  return () => r.next();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(ha: HaConsole, base: string, method: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${ha.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

async function round(ha: HaConsole, n: number, fault: Fault, delayMs: number, pauseSeconds: number, random: () => number) {
  const web = (await healthy(ha.urlB)) ? ha.urlB : ha.urlA;
  const before = await fleetControl<Record<string, number>>(ha.fleetPort, "GET", "reloads");
  const revision = await api<{ id: string; content: string }>(ha, web, "POST", `/api/v1/config/scopes/app.${ha.clusterId}/revisions`, {
    input: { database: { url: "postgresql://app:app@127.0.0.1:5432/app" }, sessionIdleSeconds: 60 + n },
    message: `chaos round ${n}: ${fault}`,
  });
  const op = await api<{ id: string }>(ha, web, "POST", `/api/v1/config/revisions/${revision.id}/deploy`, {
    batchSize: 1,
    pauseSeconds,
    reason: `chaos round ${n}`,
  });
  await sleep(delayMs);

  const started = Date.now();
  let takeoverMs: number | null = null;
  const leader = await leaseHolder(ha.dbUrl);
  if (fault === "kill leader" || fault === "kill standby") {
    // The lease names the worker's own pid; its parent is the launcher we started.
    const leaderLauncher = leader ? parentOf(leader.pid) : null;
    const live = ha.workers.filter((w) => w.alive());
    const victim = fault === "kill leader" ? live.find((w) => w.child.pid === leaderLauncher) : live.find((w) => w.child.pid !== leaderLauncher);
    if (!victim) throw new Error(`round ${n}: no ${fault === "kill leader" ? "leader" : "standby"} to kill (lease ${leader?.holder ?? "free"})`);
    victim.kill("SIGKILL");
    if (fault === "kill leader") {
      await waitUntil(
        "a new leader",
        async () => {
          const h = await leaseHolder(ha.dbUrl);
          return h && h.holder !== leader!.holder;
        },
        15_000,
        50,
      );
      takeoverMs = Date.now() - started;
    }
    await sleep(1000 + random() * 2000);
    ha.startWorker();
  } else if (fault === "kill web") {
    const which = random() < 0.5 ? "A" : "B";
    const victim = which === "A" ? ha.webA : ha.webB;
    victim.kill("SIGKILL");
    await victim.exited;
    await sleep(1000 + random() * 2000);
    const restarted = ha.restartWeb(which);
    if (which === "A") ha.webA = restarted;
    else ha.webB = restarted;
  } else {
    await ha.pg.primary.stop("fast");
    await sleep(2000);
    await ha.pg.primary.start();
  }

  await waitUntil("both web instances", async () => (await healthy(ha.urlA)) && (await healthy(ha.urlB)), 90_000, 250);
  await waitUntil("a leader", () => leaseHolder(ha.dbUrl), 15_000, 100);
  const outcome = await waitUntil(
    "the deployment to end",
    async () => {
      const [row] = await query<{ state: string; error: string | null }>(ha.dbUrl, `SELECT "state", "error" FROM "Operation" WHERE "id" = $1`, [op.id]);
      return row && !["PENDING", "RUNNING", "AWAITING_APPROVAL"].includes(row.state) ? row : null;
    },
    90_000,
    250,
  );
  const after = await fleetControl<Record<string, number>>(ha.fleetPort, "GET", "reloads");
  const applied = ha.nodeNames.map((name) => after[name]! - before[name]!);
  const seenSince = new Date();
  await waitUntil("every node UP and seen", () => ha.allNodesSeenAfter(seenSince), 30_000, 250);
  const problems: string[] = [];
  if (outcome.state !== "SUCCEEDED") problems.push(`deployment ${outcome.state}: ${outcome.error}`);
  if (applied.some((a) => a < 1 || a > 2)) problems.push(`applies per target ${applied.join(",")} (want 1, or 2 for one in flight)`);
  if (applied.filter((a) => a === 2).length > 1) problems.push(`more than one target applied twice: ${applied.join(",")}`);
  return { fault, delayMs, pauseSeconds, takeoverMs, state: outcome.state, applied, problems, totalMs: Date.now() - started };
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

async function main() {
  const { values } = parseArgs({ options: { rounds: { type: "string", default: "12" }, seed: { type: "string" } } });
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const rounds = Number(values.rounds);
  console.log(`HA chaos: ${rounds} rounds, seed ${seed} (rerun the same faults with --seed ${seed})`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "clusterdeck-chaos-"));
  const ha = await startHaConsole({ dir, nodes: 4 });
  const stop = async () => {
    await ha.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));
  let failed = 0;
  try {
    for (let n = 1; n <= rounds; n++) {
      const fault = FAULTS[Math.floor(random() * FAULTS.length)]!;
      const r = await round(ha, n, fault, Math.floor(random() * 6000), 1 + Math.floor(random() * 2), random);
      if (r.problems.length) failed += 1;
      console.log(
        `round ${String(n).padStart(2)}: ${r.fault.padEnd(16)} at ${String(r.delayMs).padStart(4)} ms (pause ${r.pauseSeconds} s)` +
          `${r.takeoverMs !== null ? `, new leader in ${r.takeoverMs} ms` : ""}; deployment ${r.state}, applies ${r.applied.join(",")}; healed in ${(r.totalMs / 1000).toFixed(1)} s` +
          (r.problems.length ? `  <-- ${r.problems.join("; ")}` : ""),
      );
    }
  } finally {
    await stop();
  }
  console.log(failed ? `${failed} round(s) did not heal as they should.` : `All ${rounds} rounds healed by themselves.`);
  process.exit(failed ? 1 : 0);
}

await main();
