// Front server benchmark (issue 11): what bin/front-server.mjs adds to a
// request, each figure beside its baseline in the same run, rounds
// alternated so the shared machine's noise falls on both:
// (a) GET /api/v1/health of a real console (`clusterdeck start`, Next behind
//     the front server) against `next start` on the same build and database;
// (b) a trivial handler behind createFrontServer (hops 0, and hops 2 with a
//     forwarded chain) against the same handler on a bare http.Server: the
//     front server's own cost, without Next's noise.
//
//   npm run bench -- front-server [--rounds 5] [--seconds 8] [--connections 10] [--smoke] [--json PATH]
//
// Needs wrk (apt-get install wrk) and a build (`npm run build`). Reports the
// median requests/s and p50 latency of each, and their ratios.
// --smoke: one round of 1 s each (flags given still win).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createFrontServer } from "@/bin/front-server.mjs";
import { freePorts } from "@/lab/ports";
import { RESULT_OPTIONS, writeResults, type Figure } from "./common";

const { values } = parseArgs({
  options: { rounds: { type: "string" }, seconds: { type: "string" }, connections: { type: "string", default: "10" }, ...RESULT_OPTIONS },
});
const rounds = Number(values.rounds ?? (values.smoke ? 1 : 5));
const seconds = Number(values.seconds ?? (values.smoke ? 1 : 8));
const connections = Number(values.connections);
if (!(rounds > 0 && seconds > 0 && connections > 0)) throw new Error("--rounds, --seconds and --connections must be positive numbers");
const repo = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (spawnSync("wrk", ["--version"]).error) throw new Error("wrk is needed: apt-get install -y wrk");
if (!existsSync(path.join(repo, ".next", "BUILD_ID"))) throw new Error("no production build (.next/BUILD_ID): run `npm run build` first");

type Sample = { rps: number; p50: number };

/** Asynchronous: the servers of part (b) live in this process and must keep answering. */
async function wrk(url: string, headers: string[] = []): Promise<Sample> {
  const child = spawn("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...headers.flatMap((h) => ["-H", h]), url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once("close", resolve));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const m = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p50 = m ? Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1) : NaN;
  return { rps, p50 };
}

/** Alternates the targets round by round; returns each one's samples. */
async function compare(targets: Record<string, { url: string; headers?: string[] }>): Promise<Record<string, Sample[]>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const t of Object.values(targets)) await wrk(t.url, t.headers); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [name, t] of Object.entries(targets)) samples[name]!.push(await wrk(t.url, t.headers));
  }
  return samples;
}

/** Prints the medians and their ratios to the baseline; returns the req/s ratio of each target. */
function report(title: string, samples: Record<string, Sample[]>, baseline: string): Record<string, number> {
  console.log(`\n${title} (${rounds} rounds × ${seconds} s, ${connections} connections; medians)`);
  const base = { rps: median(samples[baseline]!.map((s) => s.rps)), p50: median(samples[baseline]!.map((s) => s.p50)) };
  const ratios: Record<string, number> = {};
  for (const [name, xs] of Object.entries(samples)) {
    const rps = median(xs.map((s) => s.rps));
    const p50 = median(xs.map((s) => s.p50));
    ratios[name] = rps / base.rps;
    console.log(
      `  ${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${p50.toFixed(3).padStart(7)} ms   ×${(rps / base.rps).toFixed(3)} req/s, ×${(p50 / base.p50).toFixed(3)} p50   (rounds: ${xs.map((s) => s.rps.toFixed(0)).join(" ")})`,
    );
  }
  return ratios;
}

/** Each target's req/s and p50 series, in the order given. */
const figuresOf = (samples: Record<string, Sample[]>): Figure[] =>
  Object.entries(samples).flatMap(([name, xs]) => [
    { name: `${name}: req/s`, unit: "req/s", values: xs.map((s) => s.rps) },
    { name: `${name}: p50`, unit: "ms", values: xs.map((s) => s.p50) },
  ]);

// --- (b) the front server's own cost
const trivial = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.setHeader("content-type", "application/json");
  res.end('{"status":"ok"}');
};
const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/health`;
};
const bare = http.createServer(trivial);
const front0 = createFrontServer({ handle: trivial, trustProxyHops: 0 });
const front2 = createFrontServer({ handle: trivial, trustProxyHops: 2 });
const micro = await compare({
  "bare http.Server": { url: await listen(bare) },
  "front server, no proxy trusted": { url: await listen(front0.server), headers: ["X-Forwarded-For: 203.0.113.9"] },
  "front server, 2 hops, chain of 3": {
    url: await listen(front2.server),
    headers: ["X-Forwarded-For: 203.0.113.9, 198.51.100.1, 10.0.0.2", "X-Forwarded-Host: console.example", "X-Forwarded-Proto: https"],
  },
});
bare.close();
await front0.close();
await front2.close();

// --- (a) a real console against `next start`
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-front-"));
chmodSync(dataDir, 0o755);
const [consolePort, nextPort, pgPort] = (await freePorts(3)) as [number, number, number];
const env: NodeJS.ProcessEnv = {
  ...process.env,
  CLUSTERDECK_DATA_DIR: dataDir,
  CLUSTERDECK_PG_PORT: String(pgPort),
  CLUSTERDECK_ADMIN_PASSWORD: "bench-admin-password",
  NEXT_TELEMETRY_DISABLED: "1",
};
delete env.DATABASE_URL;
const children: ChildProcess[] = [];
let stopping: Promise<void> | undefined;
/** Both servers (each its own process group: the console's database and worker go too), then the data folder. */
const stopAll = () =>
  (stopping ??= (async () => {
    for (const c of children.reverse()) {
      try {
        process.kill(-c.pid!, "SIGTERM");
      } catch {}
    }
    await sleep(3000);
    rmSync(dataDir, { recursive: true, force: true });
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
const healthy = async (port: number) => {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => null))?.ok) return;
    await sleep(500);
  }
  throw new Error(`nothing healthy on ${port}`);
};
try {
  const consoleProc = spawn(process.execPath, ["bin/clusterdeck.mjs", "start", "--no-build", "--no-worker", "--port", String(consolePort)], {
    cwd: repo,
    env,
    stdio: "ignore",
    detached: true,
  });
  children.push(consoleProc);
  await healthy(consolePort);
  const pg = JSON.parse(readFileSync(path.join(dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
  const secret = readFileSync(path.join(dataDir, "secret"), "utf8").trim();
  const nextEnv: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: "production",
    DATABASE_URL: `postgresql://${pg.user}:${encodeURIComponent(pg.password)}@127.0.0.1:${pgPort}/${pg.database}`,
    NEXTAUTH_SECRET: secret,
    CLUSTERDECK_SECRET: secret,
    NEXTAUTH_URL: `http://localhost:${nextPort}`,
  };
  const nextProc = spawn(process.execPath, [path.join(repo, "node_modules/next/dist/bin/next"), "start", "-p", String(nextPort), "-H", "127.0.0.1"], {
    cwd: repo,
    env: nextEnv,
    stdio: "ignore",
    detached: true,
  });
  children.push(nextProc);
  await healthy(nextPort);
  const real = await compare({
    "next start": { url: `http://127.0.0.1:${nextPort}/api/v1/health` },
    "clusterdeck start (front server)": { url: `http://127.0.0.1:${consolePort}/api/v1/health` },
  });
  const realRatios = report("GET /api/v1/health of a console (a database read per request)", real, "next start");
  const microRatios = report("A trivial handler: the front server's own cost", micro, "bare http.Server");
  const [nextRps, nextP50, consoleRps, consoleP50] = figuresOf(real) as [Figure, Figure, Figure, Figure];
  writeResults(
    {
      name: "front-server",
      params: { rounds, seconds, connections },
      // The console first: its req/s is the headline, against next start's.
      figures: [consoleRps, consoleP50, nextRps, nextP50, ...figuresOf(micro)],
      baseline: nextRps,
      ratio: realRatios["clusterdeck start (front server)"]!,
      ratioOf: "clusterdeck start / next start, req/s, of the medians",
      extra: { frontServerOwnCost: microRatios },
    },
    values,
  );
} finally {
  await stopAll();
}
