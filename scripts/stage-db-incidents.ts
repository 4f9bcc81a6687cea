/**
 * Staged database incidents on a running demo, under write load, with every
 * acknowledged write counted: how the recovery work is judged, repeatable.
 *
 *   npx clusterdeck tokens create --name stage --role ADMIN --owner admin@clusterdeck.local
 *   CLUSTERDECK_TOKEN=… node --import tsx scripts/stage-db-incidents.ts [--url http://localhost:3000] [--rounds 3] [--crash]
 *
 * With `npm run demo` running (as root: the demo's agent configs are read for
 * the database URLs). Writers POST /write through the demo's HAProxy and keep
 * every id a 201 acknowledged; then:
 *   - `--rounds N`: N switchover round trips (to the replica and back) through
 *     the API; each must succeed with the old primary rejoined (no rebuild);
 *   - `--crash`: automatic failover on, `lab kill` the primary (kill -9), wait
 *     for the failover, `lab resume` it (it comes back writable and must be
 *     fenced), then Rebuild it through the API; automatic failover is put back.
 * At the end every acknowledged id must be on the primary. Prints each
 * operation's duration, the client requests that failed around it, and the
 * final count. Exits 1 when something did not hold.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { routeUrl } from "@/lib/api/client";
import { api } from "@/lib/api/contract";
import type { RouteSpec } from "@/lib/api/spec";
import { controlRequest } from "@/demo/control";
import { missingWrites, startWriteLoad, type WriteLoad } from "@/demo/write-load";
import { dataDir } from "@/lib/env";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    rounds: { type: "string", default: "3" },
    crash: { type: "boolean", default: false },
    writers: { type: "string", default: "4" },
  },
});
const token = process.env.CLUSTERDECK_TOKEN;
if (!token) throw new Error("CLUSTERDECK_TOKEN: an ADMIN API token (npx clusterdeck tokens create --role ADMIN …)");
const demoDir = path.join(dataDir(), "demo");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let problems = 0;
const problem = (text: string) => {
  problems += 1;
  console.log(`  ✗ ${text}`);
};

async function call<T>(spec: RouteSpec, params: Record<string, unknown>, body?: unknown, query?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${values.url}${routeUrl(spec, params, query)}`, {
    method: spec.method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${spec.method} ${spec.path}: HTTP ${res.status} ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : null) as T;
}

type Member = { id: string; name: string; role: string; fence: string; replicationState: string; health: string; cluster: { id: string; name: string } };
type Operation = { id: string; state: string; error: string | null; steps: { step: string; detail?: string | null; at: string }[] };

async function members(): Promise<Member[]> {
  const page = await call<{ items: Member[] }>(api.databases.list, {}, undefined, { pageSize: 100 });
  return page.items.filter((d) => d.cluster.name === "demo");
}

async function finished(id: string): Promise<Operation> {
  for (;;) {
    const op = await call<Operation>(api.operations.get, { id });
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(op.state)) return op;
    await sleep(200);
  }
}

async function switchover(load: WriteLoad): Promise<void> {
  const all = await members();
  const primary = all.find((m) => m.role === "PRIMARY")!;
  const candidate = all.find((m) => m.role === "REPLICA" && m.fence === "NONE")!;
  const check = await call<{ cluster: { generation: number } }>(api.databaseActions.promotionCheck, { id: primary.cluster.id });
  const failedBefore = load.failed();
  const started = Date.now();
  const op = await call<{ id: string }>(
    api.databaseActions.promote,
    { id: primary.cluster.id },
    { candidateId: candidate.id, expectedPrimaryId: primary.id, generation: check.cluster.generation, reason: "staged switchover" },
  );
  const done = await finished(op.id);
  const ms = Date.now() - started;
  const rejoined = done.steps.find((s) => s.step === "rejoined")?.detail ?? null;
  console.log(
    `  switchover ${primary.name} → ${candidate.name}: ${done.state} in ${ms} ms; ${load.failed() - failedBefore} client request(s) failed; ${rejoined ?? "not rejoined"}`,
  );
  if (done.state !== "SUCCEEDED") problem(`switchover failed: ${done.error}`);
  else if (!rejoined) problem(`${primary.name} did not rejoin: ${done.steps.at(-1)?.detail}`);
}

async function crash(load: WriteLoad): Promise<void> {
  const before = await members();
  const primary = before.find((m) => m.role === "PRIMARY")!;
  const clusterId = primary.cluster.id;
  await call(api.databaseActions.autoFailover, { id: clusterId }, { enabled: true, paused: false, reason: "staged crash" });
  const failedBefore = load.failed();
  const component = (await controlRequest(demoDir, { verb: "status" })).body.components as { name: string; kind: string; port: number }[];
  const port = (await call<{ port: number }>(api.databases.get, { id: primary.id })).port;
  const name = component.find((c) => c.kind === "postgres" && c.port === port)!.name;
  const killed = Date.now();
  await controlRequest(demoDir, { verb: "kill", name });
  console.log(`  kill -9 ${name} (${primary.name})`);
  let promoted: Member | undefined;
  while (!promoted) {
    await sleep(200);
    promoted = (await members()).find((m) => m.role === "PRIMARY" && m.id !== primary.id);
    if (Date.now() - killed > 60_000) return problem("no automatic failover within 60 s");
  }
  console.log(
    `  automatic failover: ${promoted.name} is the primary ${Date.now() - killed} ms after the kill; ${load.failed() - failedBefore} client request(s) failed`,
  );
  await controlRequest(demoDir, { verb: "resume", name });
  console.log(`  ${name} started again by hand`);
  for (let i = 0; ; i++) {
    const events = await call<{ items: { kind: string; subjectId: string }[] }>(api.events.list, {}, undefined, { pageSize: 20 });
    if (events.items.some((e) => e.kind === "db.refenced" && e.subjectId === primary.id)) break;
    if (i > 150) return problem(`${primary.name} came back and was not fenced within 30 s`);
    await sleep(200);
  }
  console.log(`  ${primary.name} fenced again on its return`);
  const started = Date.now();
  const op = await call<{ id: string }>(api.databaseActions.rebuild, { id: primary.id }, { reason: "staged crash: bring it back" });
  const done = await finished(op.id);
  console.log(`  rebuild of ${primary.name}: ${done.state} in ${Date.now() - started} ms; ${done.steps.at(-1)?.detail}`);
  if (done.state !== "SUCCEEDED") problem(`rebuild failed: ${done.error}`);
  await call(api.databaseActions.autoFailover, { id: clusterId }, { enabled: false, reason: "staged crash over" });
}

async function main() {
  const state = JSON.parse(await readFile(path.join(demoDir, "state.json"), "utf8")) as { haproxyUrl: string };
  const load = startWriteLoad(state.haproxyUrl, Number(values.writers));
  await sleep(2000);
  console.log(`writers through ${state.haproxyUrl}: ${load.acked.size} acknowledged so far`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    console.log(`round ${round}`);
    await switchover(load);
    await sleep(1000);
    await switchover(load);
    await sleep(1000);
  }
  if (values.crash) {
    console.log("crash");
    await crash(load);
    await sleep(1000);
  }
  await load.stop();

  const primary = (await members()).find((m) => m.role === "PRIMARY")!;
  const port = (await call<{ port: number }>(api.databases.get, { id: primary.id })).port;
  const lost = await missingWrites(demoDir, port, load.acked);
  console.log(`acknowledged writes: ${load.acked.size}; missing on the primary (${primary.name}): ${lost.length}; failed client requests: ${load.failed()}`);
  if (lost.length) problem(`lost acknowledged writes: ${lost.slice(0, 20).join(", ")}`);
  const final = await members();
  for (const m of final) console.log(`  ${m.name}: ${m.role} fence ${m.fence}, ${m.replicationState}, ${m.health}`);
  process.exit(problems ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
