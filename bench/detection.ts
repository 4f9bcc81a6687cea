// Detection benchmark (issue 3): kill -9 an app node of the demo cluster and
// time, in the same run, (a) until the DOWN event reaches an SSE client of
// the console and (b) until HAProxy, with its default checks, marks the
// server DOWN. Repeats, reports medians and p99, and the ratio a/b.
//
//   node --import tsx bench/detection.ts [--runs 15] [--node app-2]
//
// It starts its own `clusterdeck demo` (own data folder and ports) and stops
// it at the end. Run by hand, not by npm test; the machine is shared, so
// read the medians and the ratio, not single times.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePorts } from "@/lab/ports";
import { controlRequest } from "@/demo/control";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" }, node: { type: "string", default: "app-2" } } });
const runs = Number(values.runs);
const nodeName = values.node!;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-detection-"));
// As root the embedded PostgreSQL runs as the postgres user, who must be able to enter it.
chmodSync(dataDir, 0o755);
const [consolePort, pgPort] = await freePorts(2);
const env = {
  ...process.env,
  CLUSTERDECK_DATA_DIR: dataDir,
  CLUSTERDECK_PG_PORT: String(pgPort),
  CLUSTERDECK_ADMIN_PASSWORD: "bench-admin-password",
  NEXT_TELEMETRY_DISABLED: "1",
};
const demoDir = path.join(dataDir, "demo");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(`starting the demo (data ${dataDir}, console port ${consolePort})…`);
const demo = spawn(process.execPath, ["bin/clusterdeck.mjs", "demo", "--port", String(consolePort), "--rps", "10"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let demoOut = "";
demo.stdout.on("data", (c: Buffer) => (demoOut += c.toString()));
const deadline = Date.now() + 180_000;
while (!demoOut.includes("Demo cluster up")) {
  if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`demo did not come up:\n${demoOut.slice(-2000)}`);
  await sleep(250);
}
const token = JSON.parse(
  spawnSync(
    process.execPath,
    ["bin/clusterdeck.mjs", "tokens", "create", "--name", "bench", "--role", "VIEWER", "--owner", "admin@clusterdeck.local", "--json"],
    { env, encoding: "utf8" },
  ).stdout,
).token as string;

// One SSE client for the whole run, as a browser would keep.
const downAt = new Map<string, number>();
const upAt = new Map<string, number>();
const sse = await fetch(`http://127.0.0.1:${consolePort}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
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

function haproxyStatus(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path.join(demoDir, "haproxy", "admin.sock"));
    let out = "";
    socket.on("data", (c) => (out += c.toString()));
    socket.on("end", () => {
      const header = out.split("\n")[0]!.replace(/^# /, "").split(",");
      const row = out.split("\n").find((l) => l.startsWith(`app,${nodeName},`));
      resolve(row ? row.split(",")[header.indexOf("status")]! : "missing");
    });
    socket.on("error", reject);
    socket.end("show stat\n");
  });
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now();
    await sleep(10);
  }
  return null;
}

const consoleMs: number[] = [];
const haproxyMs: number[] = [];
for (let i = 0; i < runs; i++) {
  await waitUntil(async () => (await haproxyStatus()).startsWith("UP"), 30_000);
  await sleep(1500);
  downAt.delete("last");
  const killedAt = Date.now();
  await controlRequest(demoDir, "POST", `/kill/${nodeName}`);
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
  await controlRequest(demoDir, "POST", `/resume/${nodeName}`);
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

await controlRequest(demoDir, "POST", "/stop").catch(() => {});
await new Promise((r) => demo.once("exit", r));
process.exit(0);
