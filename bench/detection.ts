// Detection benchmark (issue 3): kill -9 an app node of the demo cluster and
// time, in the same run, (a) until the DOWN event reaches an SSE client of
// the console and (b) until HAProxy, with its default checks, marks the
// server DOWN. Repeats, reports medians and p99, and the ratio a/b.
//
//   npm run bench -- detection [--runs 15] [--node app-2] [--smoke] [--json PATH]
//
// It starts its own `clusterdeck demo` (own data folder and ports; needs a
// build, `npm run build`) and stops it at the end. HAProxy is read in the
// backend the console's configuration gives it (backendName() of the load
// balancer, as the worker's drain does): the demo starts HAProxy with a
// backend named "app", and the console's first config push renames it. The
// machine is shared, so read the medians and the ratio, not single times.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePorts } from "@/lab/ports";
import { controlRequest } from "@/demo/control";
import { backendName } from "@/lib/config/haproxy";
import { RESULT_OPTIONS, writeResults } from "./common";

const REPO = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values } = parseArgs({ options: { runs: { type: "string" }, node: { type: "string", default: "app-2" }, ...RESULT_OPTIONS } });
const runs = Number(values.runs ?? (values.smoke ? 1 : 15));
const nodeName = values.node!;
if (!(runs > 0)) throw new Error("--runs must be a positive number");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-detection-"));
// As root the embedded PostgreSQL runs as the postgres user, who must be able to enter it.
chmodSync(dataDir, 0o755);
const demoDir = path.join(dataDir, "demo");
let demo: ChildProcess | undefined;

/** Stops the demo (politely through its control socket, then by signal) and removes its folder. */
let stopping: Promise<void> | undefined;
const stopDemo = () =>
  (stopping ??= (async () => {
    const d = demo;
    if (d && d.exitCode === null && d.signalCode === null) {
      const exited = (ms: number) => Promise.race([new Promise((r) => d.once("exit", () => r(true))), sleep(ms).then(() => false)]);
      await controlRequest(demoDir, { verb: "stop" }).catch(() => {});
      if (!(await exited(60_000))) {
        console.error(`the demo (pid ${d.pid}) did not stop: SIGTERM`);
        d.kill("SIGTERM");
        if (!(await exited(20_000))) {
          // Its own process group (spawned detached): whatever it started goes too.
          try {
            process.kill(-d.pid!, "SIGKILL");
          } catch {}
          await exited(5000);
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  })());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopDemo().finally(() => process.exit(130)));

async function main() {
  const [consolePort, pgPort] = await freePorts(2);
  const env = {
    ...process.env,
    CLUSTERDECK_DATA_DIR: dataDir,
    CLUSTERDECK_PG_PORT: String(pgPort),
    CLUSTERDECK_ADMIN_PASSWORD: "bench-admin-password",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  console.log(`starting the demo (data ${dataDir}, console port ${consolePort})…`);
  demo = spawn(process.execPath, ["bin/clusterdeck.mjs", "demo", "--port", String(consolePort), "--rps", "10"], {
    cwd: REPO,
    env,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  let demoOut = "";
  demo.stdout!.on("data", (c: Buffer) => (demoOut += c.toString()));
  const deadline = Date.now() + 180_000;
  while (!demoOut.includes("Demo cluster up")) {
    if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`demo did not come up:\n${demoOut.slice(-2000)}`);
    await sleep(250);
  }
  const tokenRun = spawnSync(
    process.execPath,
    ["bin/clusterdeck.mjs", "tokens", "create", "--name", "bench", "--role", "VIEWER", "--owner", "admin@clusterdeck.local", "--json"],
    { cwd: REPO, env, encoding: "utf8" },
  );
  if (tokenRun.status !== 0) throw new Error(`could not create an API token:\n${tokenRun.stderr}`);
  const token = JSON.parse(tokenRun.stdout).token as string;
  const headers = { authorization: `Bearer ${token}` };

  // HAProxy's backend as the console names it in the configuration it pushes.
  const lbs = await fetch(`http://127.0.0.1:${consolePort}/api/v1/load-balancers?kind=HAPROXY`, { headers });
  if (lbs.status !== 200) throw new Error(`listing load balancers answered ${lbs.status}`);
  const { items } = (await lbs.json()) as { items: { name: string }[] };
  if (items.length !== 1) throw new Error(`expected the demo's one HAProxy load balancer, found ${items.length}`);
  const backend = backendName(items[0]!.name);

  // One SSE client for the whole run, as a browser would keep.
  const downAt = new Map<string, number>();
  const upAt = new Map<string, number>();
  const sse = await fetch(`http://127.0.0.1:${consolePort}/api/v1/stream`, { headers });
  if (sse.status !== 200) throw new Error(`stream answered ${sse.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of sse.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.includes("event: event")) continue;
          const data = JSON.parse(
            frame
              .split("\n")
              .find((l) => l.startsWith("data: "))!
              .slice(6),
          );
          if (data.data?.name !== nodeName) continue;
          if (data.kind === "health.down") downAt.set("last", Date.now());
          if (data.kind === "health.recovered" || data.kind === "health.up") upAt.set("last", Date.now());
        }
      }
    } catch {
      // The stream ends when the demo stops at the end of the run.
    }
  })();

  /** `show stat` as rows keyed "backend,server"; empty while HAProxy reloads (its socket is replaced). */
  function showStat(): Promise<Map<string, string>> {
    return new Promise((resolve) => {
      const socket = net.connect(path.join(demoDir, "haproxy", "admin.sock"));
      let out = "";
      socket.on("data", (c) => (out += c.toString()));
      socket.on("end", () => {
        const lines = out.split("\n");
        const header = lines[0]!.replace(/^# /, "").split(",");
        const status = header.indexOf("status");
        const rows = new Map<string, string>();
        for (const l of lines.slice(1)) {
          const cells = l.split(",");
          if (cells.length > status && status >= 0) rows.set(`${cells[0]},${cells[1]}`, cells[status]!);
        }
        resolve(rows);
      });
      socket.on("error", () => resolve(new Map()));
      socket.end("show stat\n");
    });
  }
  const haproxyStatus = async () => (await showStat()).get(`${backend},${nodeName}`) ?? "missing";

  async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number | null> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (await check()) return Date.now();
      await sleep(10);
    }
    return null;
  }

  // The demo's HAProxy starts with its own backend ("app"); the console's push renames it.
  if (!(await waitUntil(async () => (await showStat()).has(`${backend},${nodeName}`), 60_000))) {
    throw new Error(`HAProxy has no server ${backend}/${nodeName} 60 s after the demo came up: ${[...(await showStat()).keys()].join(" ") || "no answer"}`);
  }
  console.log(`HAProxy runs the console's configuration: reading ${backend}/${nodeName}`);

  const consoleMs: number[] = [];
  const haproxyMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (!(await waitUntil(async () => (await haproxyStatus()).startsWith("UP"), 30_000))) {
      throw new Error(`${backend}/${nodeName} is not UP in HAProxy before run ${i + 1} (${await haproxyStatus()})`);
    }
    await sleep(1500);
    downAt.delete("last");
    const killedAt = Date.now();
    await controlRequest(demoDir, { verb: "kill", name: nodeName });
    const [consoleSeen, haproxySeen] = await Promise.all([
      waitUntil(() => downAt.has("last"), 20_000),
      waitUntil(async () => (await haproxyStatus()).startsWith("DOWN"), 30_000),
    ]);
    if (consoleSeen) consoleMs.push(downAt.get("last")! - killedAt);
    if (haproxySeen) haproxyMs.push(haproxySeen - killedAt);
    console.log(
      `run ${i + 1}: console ${consoleSeen ? downAt.get("last")! - killedAt : "missed"} ms, HAProxy ${haproxySeen ? haproxySeen - killedAt : "missed"} ms`,
    );
    upAt.delete("last");
    await controlRequest(demoDir, { verb: "resume", name: nodeName });
    await waitUntil(() => upAt.has("last"), 20_000);
  }

  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const pct = (a: number[], p: number) => sorted(a)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)] ?? NaN;
  const cm = pct(consoleMs, 50);
  const hm = pct(haproxyMs, 50);
  console.log("\nkill -9 → DOWN seen");
  console.log(`  console (SSE client): median ${cm} ms, p99 ${pct(consoleMs, 99)} ms, max ${Math.max(...consoleMs)} ms (${consoleMs.length}/${runs} runs)`);
  console.log(`  HAProxy default checks: median ${hm} ms, p99 ${pct(haproxyMs, 99)} ms (${haproxyMs.length}/${runs} runs)`);
  console.log(`  ratio console/HAProxy (medians): ${(cm / hm).toFixed(3)}`);

  const haproxyFigure = { name: "HAProxy default checks: kill -9 → DOWN", unit: "ms", values: haproxyMs };
  writeResults(
    {
      name: "detection",
      params: { runs, node: nodeName, backend },
      figures: [{ name: "console SSE client: kill -9 → DOWN event", unit: "ms", values: consoleMs }, haproxyFigure],
      baseline: haproxyFigure,
      ratio: cm / hm,
      ratioOf: "console / HAProxy, of the medians (lower middle for an even count)",
      extra: {
        consoleMissed: runs - consoleMs.length,
        haproxyMissed: runs - haproxyMs.length,
        consoleP99: pct(consoleMs, 99),
        haproxyP99: pct(haproxyMs, 99),
      },
    },
    values,
  );
}

main()
  .then(
    () => 0,
    (error) => {
      console.error(error);
      return 1;
    },
  )
  .then(async (code) => {
    await stopDemo();
    process.exit(code);
  });
