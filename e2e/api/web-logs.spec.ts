// Protects: the web process logs like the worker and the agents
// (lib/log/process-logs.test.ts checks those two), and its /metrics.
// A web process of its own (bin/front-server.mjs, as `clusterdeck start`
// runs it, on the demo's database), with its stdout and stderr captured:
// - every line it writes is one JSON object whose first fields are level,
//   time, process ("web"), pid and msg;
// - none holds a secret it was given or sent: the database password, the
//   session secret, the metrics token, an API token, a wrong bearer token;
// - /metrics answers 401 without the bearer token of CLUSTERDECK_METRICS_TOKEN,
//   counts API requests by route template and status and open live streams,
//   and passes `promtool check metrics`.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { waitFor } from "@/agent/testing/client";
import { freePorts } from "@/lab/ports";
import { E2E } from "../env";
import { tokenFor } from "../helpers";

const METRICS_TOKEN = "web-logs-metrics-token-0123456789abcdef";
const WRONG_BEARER = "cdk_wrong-bearer-token-Hy6tR2pQ";

test("the web process writes one JSON object per line, secrets masked, and serves /metrics to its token only", async () => {
  test.setTimeout(120_000);
  const [port] = (await freePorts(1)) as [number];
  const base = `http://127.0.0.1:${port}`;
  const pgConfig = JSON.parse(fs.readFileSync(path.join(E2E.dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
  const sessionSecret = fs.readFileSync(path.join(E2E.dataDir, "secret"), "utf8").trim();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: `postgresql://${encodeURIComponent(pgConfig.user)}:${encodeURIComponent(pgConfig.password)}@127.0.0.1:${E2E.pgPort}/${pgConfig.database}`,
    CLUSTERDECK_SECRET: sessionSecret,
    NEXTAUTH_SECRET: sessionSecret,
    NEXTAUTH_URL: base,
    CLUSTERDECK_METRICS_TOKEN: METRICS_TOKEN,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  let stdout = "";
  let stderr = "";
  const web = spawn(process.execPath, ["bin/front-server.mjs", "--dir", path.resolve("."), "--hostname", "127.0.0.1", "--port", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  web.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  web.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => web.once("exit", () => resolve()));
  try {
    await waitFor("the web process to answer", async () => (await fetch(`${base}/api/v1/health`).catch(() => null))?.ok, 60_000, 200).catch((error: Error) => {
      throw new Error(`${error.message}\n${stdout.slice(-2000)}${stderr.slice(-2000)}`);
    });
    const admin = { authorization: `Bearer ${tokenFor("ADMIN")}` };
    expect((await fetch(`${base}/api/v1/nodes`, { headers: admin })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/nodes`, { headers: { authorization: `Bearer ${WRONG_BEARER}` } })).status).toBe(401);

    // /metrics: closed to anyone without the token, a session included.
    const refused = await fetch(`${base}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(await refused.json()).toMatchObject({ status: 401, code: "unauthorized", requestId: expect.any(String) });
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: admin })).status).toBe(401);

    // One live stream open while scraping.
    const stream = new AbortController();
    const sse = await fetch(`${base}/api/v1/stream`, { headers: admin, signal: stream.signal });
    expect(sse.status).toBe(200);
    await sse.body!.getReader().read();
    const scrape = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    stream.abort();
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/^clusterdeck_web_requests_total\{method="GET",route="\/api\/v1\/health",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^clusterdeck_web_requests_total\{method="GET",route="\/api\/v1\/nodes",status="200"\} 1$/m);
    expect(text).toMatch(/^clusterdeck_web_requests_total\{method="GET",route="\/api\/v1\/nodes",status="401"\} 1$/m);
    expect(text).toMatch(/^clusterdeck_web_stream_clients 1$/m);
    const promtool = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(promtool.error, "promtool (apt-get install prometheus)").toBeUndefined();
    expect(promtool.status, `promtool check metrics\n${promtool.stdout}${promtool.stderr}`).toBe(0);
  } finally {
    web.kill("SIGTERM");
    await exited;
  }

  const lines = (stdout + stderr).split("\n").filter((l) => l.trim() !== "");
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`a line that is not JSON: ${l.slice(0, 300)}`);
    }
    expect(Object.keys(line).slice(0, 5), l).toEqual(["level", "time", "process", "pid", "msg"]);
    expect(["debug", "info", "warn", "error", "fatal"], l).toContain(line.level);
    expect(line.time, l).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.process, l).toBe("web");
    expect(line.pid, l).toBe(web.pid);
  }
  expect(lines.some((l) => l.includes('"msg":"web.listening"'))).toBe(true);
  for (const secret of [pgConfig.password, sessionSecret, METRICS_TOKEN, tokenFor("ADMIN"), WRONG_BEARER]) expect(stdout + stderr).not.toContain(secret);
});
