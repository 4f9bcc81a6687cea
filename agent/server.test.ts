// The agent API end to end on loopback: a real agent (in-process) with the
// app driver watching a real demo app server, spoken to over real sockets.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SKEW_MS, generateAgentSecret, signRequest } from "@/lib/agent-protocol/signing";
import { snapshot, type Snapshot } from "@/lib/agent-protocol/types";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "./config";
import type { Driver } from "./drivers/types";
import type { LogEntry } from "./log";
import { MAX_ACTION_BODY_BYTES } from "./handlers/actions";
import { startAgent, type RunningAgent } from "./server";
import { closedPort, openStream, request, signed, sleep, waitFor, type Key } from "./testing/client";

const INTERVAL = 200;
const key: Key = generateAgentSecret();
/** Every agent here gets this token unless a test says otherwise: /metrics is closed without one. */
const METRICS_TOKEN = "prom-" + "m".repeat(30);
const scrape = (agent: RunningAgent) => request(`${agent.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

function appSection(app: AppServer, extra: Partial<NonNullable<AgentConfigInput["app"]>> = {}) {
  return {
    healthUrl: `${app.url}/health`,
    statsUrl: `${app.url}/stats`,
    drainUrl: `${app.url}/admin/drain`,
    resumeUrl: `${app.url}/admin/resume`,
    backends: [{ name: "self", url: `${app.url}/health` }],
    ...extra,
  };
}

async function agentFor(
  input: Partial<AgentConfigInput> & { app?: AgentConfigInput["app"] },
  opts: { driver?: Driver; logs?: LogEntry[] } = {},
): Promise<RunningAgent> {
  const config = parseConfig({
    name: "app-1",
    role: "app",
    listen: { port: 0 },
    credentials: [key],
    intervalMs: INTERVAL,
    metricsToken: METRICS_TOKEN,
    ...input,
  });
  const agent = await startAgent(config, { driver: opts.driver, log: (e) => opts.logs?.push(e) });
  cleanups.push(() => agent.close());
  return agent;
}

async function startApp(opts: { port?: number; name?: string } = {}): Promise<AppServer> {
  const app = await startAppServer({ port: opts.port ?? 0, name: opts.name ?? "app-1" });
  cleanups.push(() => app.close());
  return app;
}

const appStats = async (app: AppServer) => JSON.parse((await request(`${app.url}/stats`)).body) as { sessions: number; draining: boolean; requests: number };
const status = async (agent: RunningAgent): Promise<Snapshot> => snapshot.parse(JSON.parse((await signed(agent.url, key, "GET", "/v1/status")).body));
const DRAIN = JSON.stringify({ action: "app.drain" });
const RESUME = JSON.stringify({ action: "app.resume" });

describe("agent API with the app driver", () => {
  let app: AppServer;
  let agent: RunningAgent;
  const logs: LogEntry[] = [];

  beforeAll(async () => {
    app = await startApp();
    agent = await agentFor({ app: appSection(app) }, { logs });
  });

  it("answers a signed GET /v1/status with a valid snapshot", async () => {
    const res = await signed(agent.url, key, "GET", "/v1/status");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const snap = snapshot.parse(JSON.parse(res.body));
    expect(snap).toMatchObject({ type: "snapshot", health: "UP", reasons: [], agent: { name: "app-1", role: "app", version: expect.any(String) } });
    expect(snap.app?.backends).toEqual([expect.objectContaining({ name: "self", up: true })]);
    expect(snap.host.memoryTotal).toBeGreaterThan(0);
    expect(snap.host.cpu).toBeGreaterThanOrEqual(0);
  });

  it("answers unknown paths 404 and wrong methods 405, and ignores a body on GET", async () => {
    expect((await signed(agent.url, key, "GET", "/v1/nope")).status).toBe(404);
    expect((await request(`${agent.url}/v1/status/`)).status).toBe(404);
    const wrong = await signed(agent.url, key, "POST", "/v1/status", "{}");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("GET");
    expect((await signed(agent.url, key, "GET", "/v1/actions")).status).toBe(405);
    // Signed without a body (as GETs are); the body sent along is neither read nor part of the signature.
    const authorization = signRequest({ ...key, method: "GET", pathWithQuery: "/v1/status" });
    const withBody = await request(`${agent.url}/v1/status`, {
      headers: { authorization, "content-type": "application/json" },
      body: '{"action":"app.drain"}',
    });
    expect(withBody.status).toBe(200);
    expect((await appStats(app)).draining).toBe(false);
  });

  it("streams a snapshot at once and then one per interval, from one collect loop shared by all clients", async () => {
    const collectsBefore = agent.collector.collectsTotal;
    const started = performance.now();
    const [a, b] = await Promise.all([openStream(agent.url, key), openStream(agent.url, key)]);
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    await sleep(INTERVAL * 6 + 50);
    a.close();
    b.close();
    const elapsed = performance.now() - started;
    const collects = agent.collector.collectsTotal - collectsBefore;

    for (const s of [a, b]) {
      expect(s.lines.length).toBeGreaterThanOrEqual(5);
      // The first line does not wait for the next tick.
      expect(s.lines[0]!.at - s.opened).toBeLessThan(INTERVAL / 2);
      const snaps = s.lines.map((l) => snapshot.parse(JSON.parse(l.line)));
      for (let i = 1; i < snaps.length; i++) expect(snaps[i]!.seq).toBeGreaterThan(snaps[i - 1]!.seq);
      // Later lines come about one interval apart (generous bounds: the machine is shared).
      const gaps = s.lines.slice(2).map((l, i) => l.at - s.lines[i + 1]!.at);
      const median = gaps.sort((x, y) => x - y)[Math.floor(gaps.length / 2)]!;
      expect(median).toBeGreaterThan(INTERVAL * 0.6);
      expect(median).toBeLessThan(INTERVAL * 1.6);
    }
    // Shared loop: both clients got the very same snapshots (same seq, same time) ...
    const byId = (s: typeof a) => new Map(s.lines.map((l) => [JSON.parse(l.line).seq as number, JSON.parse(l.line).at as string]));
    const ma = byId(a);
    const mb = byId(b);
    const common = [...ma.keys()].filter((seq) => mb.has(seq));
    expect(common.length).toBeGreaterThanOrEqual(4);
    for (const seq of common) expect(mb.get(seq)).toBe(ma.get(seq));
    // ... and the driver collected once per interval, not once per client.
    expect(collects).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL) + 1);

    // Gone clients are no longer written to.
    await waitFor("streams to be released", () => agent.collector.subscribers === 0, 2000);
  });

  it("refuses bad signatures with 401 and the reason, logs them, and changes nothing", async () => {
    const other = generateAgentSecret();
    const now = Date.now();
    const p = "/v1/actions";
    const sign = (over: Partial<Parameters<typeof signRequest>[0]> = {}) => signRequest({ ...key, method: "POST", pathWithQuery: p, body: DRAIN, ...over });
    const cases: Array<{ name: string; headers: Record<string, string>; body?: string; reason: string }> = [
      { name: "wrong secret", headers: { authorization: sign({ secret: other.secret }) }, reason: "bad-signature" },
      { name: "unknown key id", headers: { authorization: sign(other) }, reason: "unknown-key" },
      { name: "stale timestamp", headers: { authorization: sign({ now: now - MAX_SKEW_MS - 1000 }) }, reason: "skew" },
      { name: "future timestamp", headers: { authorization: sign({ now: now + MAX_SKEW_MS + 1000 }) }, reason: "skew" },
      { name: "tampered body", headers: { authorization: sign({ body: RESUME }) }, reason: "bad-signature" },
      { name: "signed for another path", headers: { authorization: sign({ pathWithQuery: "/v1/actions?x=1" }) }, reason: "bad-signature" },
      { name: "signed for another method", headers: { authorization: sign({ method: "PUT" }) }, reason: "bad-signature" },
      { name: "malformed header", headers: { authorization: sign().replace(/nonce=[^,]+/, "nonce=short") }, reason: "malformed" },
      { name: "another scheme", headers: { authorization: `Bearer ${key.secret}` }, reason: "malformed" },
      { name: "missing header", headers: {}, reason: "missing" },
    ];
    for (const c of cases) {
      const res = await request(agent.url + p, { method: "POST", headers: { "content-type": "application/json", ...c.headers }, body: c.body ?? DRAIN });
      expect(res.status, c.name).toBe(401);
      expect(JSON.parse(res.body), c.name).toEqual({ error: "unauthorized", reason: c.reason });
    }
    // A replay: the same header and body twice. The first drains; the app is
    // then resumed; the replayed drain must be refused and drain nothing.
    const header = sign();
    const first = await request(agent.url + p, { method: "POST", headers: { authorization: header }, body: DRAIN });
    expect(first.status).toBe(200);
    expect((await signed(agent.url, key, "POST", p, RESUME)).status).toBe(200);
    const replay = await request(agent.url + p, { method: "POST", headers: { authorization: header }, body: DRAIN });
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body)).toEqual({ error: "unauthorized", reason: "replay" });
    // Replays of a GET are refused too.
    const getHeader = signRequest({ ...key, method: "GET", pathWithQuery: "/v1/status" });
    expect((await request(`${agent.url}/v1/status`, { headers: { authorization: getHeader } })).status).toBe(200);
    expect(JSON.parse((await request(`${agent.url}/v1/status`, { headers: { authorization: getHeader } })).body)).toMatchObject({ reason: "replay" });

    expect((await appStats(app)).draining).toBe(false);
    // One log line per refusal, with the reason and never a secret.
    const refusals = logs.filter((l) => l.msg === "request refused");
    expect(refusals.length).toBeGreaterThanOrEqual(cases.length + 2);
    expect(refusals[0]).toMatchObject({ remote: "127.0.0.1", method: "POST", path: "/v1/actions", reason: "bad-signature", status: 401 });
    expect(JSON.stringify(logs)).not.toContain(key.secret);
    expect(JSON.stringify(logs)).not.toContain(other.secret);
    const metrics = (await scrape(agent)).body;
    expect(metrics).toMatch(/^clusterdeck_agent_refused_requests_total\{reason="skew"\} 2$/m);
    expect(metrics).toMatch(/^clusterdeck_agent_refused_requests_total\{reason="replay"\} 2$/m);
  });

  it("answers malformed JSON 400, unknown or foreign actions 422 and oversized bodies 413, changing nothing", async () => {
    const before = await appStats(app);
    const bad = await signed(agent.url, key, "POST", "/v1/actions", '{"action":"app.drain"');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: "bad-request" });

    const unknown = await signed(agent.url, key, "POST", "/v1/actions", JSON.stringify({ action: "app.explode" }));
    expect(unknown.status).toBe(422);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: "invalid-action" });
    const extraField = await signed(agent.url, key, "POST", "/v1/actions", JSON.stringify({ action: "app.drain", force: true }));
    expect(extraField.status).toBe(422);
    const foreign = await signed(
      agent.url,
      key,
      "POST",
      "/v1/actions",
      JSON.stringify({ action: "haproxy.set-state", backend: "web", server: "app-1", state: "drain" }),
    );
    expect(foreign.status).toBe(422);
    expect(JSON.parse(foreign.body).message).toMatch(/app driver does not take haproxy.set-state/);

    const huge = JSON.stringify({ action: "app.drain", pad: "x".repeat(MAX_ACTION_BODY_BYTES) });
    const tooBig = await signed(agent.url, key, "POST", "/v1/actions", huge);
    expect(tooBig.status).toBe(413);

    const after = await appStats(app);
    expect(after.draining).toBe(false);
    expect(after.sessions).toBe(before.sessions);
  });

  it("answers 413 to an oversized body sent without a length, and forgets a body cut short", async () => {
    // Found by agent/fuzz.test.ts: leaving the read loop early destroyed the
    // socket, and the refusal then failed on it and answered 500.
    const before = logs.length;
    const body = JSON.stringify({ action: "app.drain", pad: "x".repeat(MAX_ACTION_BODY_BYTES * 4) });
    const authorization = signRequest({ ...key, method: "POST", pathWithQuery: "/v1/actions", body });
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${agent.url}/v1/actions`,
        { method: "POST", headers: { authorization, "transfer-encoding": "chunked" }, agent: false },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ error: "payload-too-large" });

    // Signed for a whole drain, but the client hangs up halfway: nothing runs, nothing fails.
    const drain = DRAIN;
    const cut = http.request(`${agent.url}/v1/actions`, {
      method: "POST",
      headers: { authorization: signRequest({ ...key, method: "POST", pathWithQuery: "/v1/actions", body: drain }), "content-length": String(drain.length) },
      agent: false,
    });
    cut.on("error", () => {});
    cut.write(drain.slice(0, 8));
    await sleep(100);
    cut.destroy();
    await sleep(200);

    const added = logs.slice(before);
    expect(added.filter((l) => l.msg === "request failed")).toEqual([]);
    expect(added).toContainEqual(expect.objectContaining({ msg: "request refused", status: 413, reason: "body-too-large" }));
    expect((await appStats(app)).draining).toBe(false);
  });

  it("drains the app on app.drain (new sessions refused, sticky ones served) and resumes it on app.resume", async () => {
    const first = await request(`${app.url}/`);
    expect(first.status).toBe(200);
    const cookie = String(first.headers["set-cookie"]).split(";")[0]!;

    const drained = await signed(agent.url, key, "POST", "/v1/actions", DRAIN);
    expect(drained.status).toBe(200);
    expect(JSON.parse(drained.body)).toMatchObject({ ok: true, action: "app.drain", result: { status: 200, answer: { draining: true } } });

    const fresh = await request(`${app.url}/`);
    expect(fresh.status).toBe(503);
    expect(fresh.headers["retry-after"]).toBeDefined();
    const sticky = await request(`${app.url}/`, { headers: { cookie } });
    expect(sticky.status).toBe(200);
    expect(JSON.parse(sticky.body)).toMatchObject({ node: "app-1", hits: 2 });
    // Watchers see it promptly: the agent collects again right after an action.
    const seen = await waitFor(
      "a draining snapshot",
      async () => {
        const s = await status(agent);
        return s.app?.draining ? s : undefined;
      },
      INTERVAL * 5,
    );
    expect(seen.app!.sessions).toBeGreaterThanOrEqual(1);

    const resumed = await signed(agent.url, key, "POST", "/v1/actions", RESUME);
    expect(resumed.status).toBe(200);
    expect((await request(`${app.url}/`)).status).toBe(200);
    expect((await appStats(app)).draining).toBe(false);
  });

  it("serves Prometheus text on /metrics", async () => {
    const res = await scrape(agent);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = res.body.trimEnd().split("\n");
    for (const line of lines) {
      // prom-client separates families with an empty line (the format ignores those) and writes NaN as Nan.
      if (line === "") continue;
      if (line.startsWith("#")) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      else expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|Nan|[+-]Inf)$/);
    }
    for (const name of [
      "clusterdeck_agent_up 1",
      'clusterdeck_agent_info{role="app",name="app-1",version="',
      "clusterdeck_agent_collect_duration_seconds ",
      "clusterdeck_agent_snapshot_seq ",
      'clusterdeck_agent_refused_requests_total{reason="bad-signature"} ',
      "clusterdeck_agent_host_cpu_ratio ",
      "clusterdeck_agent_host_memory_used_bytes ",
      "clusterdeck_agent_host_load1 ",
      "clusterdeck_app_sessions ",
      "clusterdeck_app_request_rate ",
      'clusterdeck_app_backend_up{backend="self",target="http://127.0.0.1:',
    ]) {
      expect(res.body).toContain(name);
    }
  });
});

describe("agent health tracking", () => {
  it("reports DOWN with a reason when the app dies, and UP again when it returns", async () => {
    const app = await startApp({ name: "app-2" });
    const agent = await agentFor({ name: "app-2", app: appSection(app, { backends: [] }) });
    await waitFor("UP", async () => (await status(agent)).health === "UP");
    const stream = await openStream(agent.url, key);
    await app.close();
    const down = await waitFor("DOWN", async () => {
      const s = await status(agent);
      return s.health === "DOWN" ? s : undefined;
    });
    expect(down.reasons).toContain(`health http://127.0.0.1:${app.port}/health: connection refused`);
    // The stream kept going through it.
    const before = stream.lines.length;
    await sleep(INTERVAL * 3);
    expect(stream.lines.length).toBeGreaterThan(before);
    const revived = await startApp({ port: app.port, name: "app-2" });
    const up = await waitFor("UP again", async () => {
      const s = await status(agent);
      return s.health === "UP" ? s : undefined;
    });
    expect(up.reasons).toEqual([]);
    // The same stream saw DOWN and then UP, with seq always increasing.
    await sleep(INTERVAL * 2);
    stream.close();
    const seen = stream.lines.map((l) => snapshot.parse(JSON.parse(l.line)));
    const healths = seen.map((s) => s.health);
    expect(healths).toContain("DOWN");
    expect(healths.lastIndexOf("UP")).toBeGreaterThan(healths.indexOf("DOWN"));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.seq).toBeGreaterThan(seen[i - 1]!.seq);
    await revived.close();
  });

  it("reports DEGRADED naming a back-end whose TCP port is closed", async () => {
    const app = await startApp({ name: "app-3" });
    const port = await closedPort();
    const agent = await agentFor({ name: "app-3", app: appSection(app, { backends: [{ name: "orders-db", tcp: `127.0.0.1:${port}` }] }) });
    const snap = await waitFor("a snapshot", async () => {
      const s = await status(agent);
      return s.health !== "UP" ? s : undefined;
    });
    expect(snap.health).toBe("DEGRADED");
    expect(snap.reasons).toEqual([`backend 'orders-db' (127.0.0.1:${port}): connection refused`]);
    expect(snap.app!.backends).toEqual([{ name: "orders-db", target: `127.0.0.1:${port}`, up: false, latencyMs: null, error: "connection refused" }]);
    const metrics = (await scrape(agent)).body;
    expect(metrics).toContain(`clusterdeck_app_backend_up{backend="orders-db",target="127.0.0.1:${port}"} 0`);
  });

  it("keeps streaming DOWN when the driver throws or hangs, and recovers when it answers again", async () => {
    let mode: "ok" | "throw" | "hang" = "ok";
    const hung: Array<() => void> = [];
    const driver: Driver = {
      role: "app",
      async collect() {
        if (mode === "throw") throw new Error("stats socket vanished");
        if (mode === "hang") await new Promise<void>((r) => hung.push(r));
        return { health: "UP", reasons: [], app: { sessions: 1, requestRate: 0, latencyMs: null, errorRate: 0, draining: false, backends: [] } };
      },
      async act() {
        return null;
      },
      metrics: () => {},
      async close() {
        for (const r of hung) r();
      },
    };
    const agent = await agentFor({ name: "flaky", app: { healthUrl: "http://127.0.0.1:1/h", statsUrl: "http://127.0.0.1:1/s" } }, { driver });
    const stream = await openStream(agent.url, key);
    const lines = () => stream.lines.map((l) => snapshot.parse(JSON.parse(l.line)));
    await waitFor("UP", () => lines().some((s) => s.health === "UP"));
    mode = "throw";
    await waitFor("a DOWN for the throw", () => lines().some((s) => s.reasons.includes("driver collect failed: stats socket vanished")));
    mode = "hang";
    await waitFor("a DOWN for the hang", () => lines().some((s) => s.reasons.some((r) => /^driver collect has not finished after \d+ ms/.test(r))));
    const during = stream.lines.length;
    await sleep(INTERVAL * 3);
    // Still one line per tick while collect() hangs, and no second collect piled on the hung one.
    expect(stream.lines.length - during).toBeGreaterThanOrEqual(2);
    expect(hung.length).toBe(1);
    mode = "ok";
    hung.shift()!();
    const upAgain = stream.lines.length;
    await waitFor("UP again", () =>
      lines()
        .slice(upAgain)
        .some((s) => s.health === "UP"),
    );
    stream.close();
    const all = lines();
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThan(all[i - 1]!.seq);
  });
});

describe("agent /metrics token and TLS", () => {
  it("refuses /metrics without the configured bearer token", async () => {
    const app = await startApp({ name: "app-4" });
    const token = "prom-" + "t".repeat(30);
    const agent = await agentFor({ name: "app-4", metricsToken: token, app: appSection(app) });
    expect((await request(`${agent.url}/metrics`)).status).toBe(401);
    expect((await request(`${agent.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await request(`${agent.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const ok = await request(`${agent.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^clusterdeck_agent_refused_requests_total\{reason="metrics-token"\} 3$/m);
    // The token opens /metrics only, not the signed API.
    expect((await request(`${agent.url}/v1/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("keeps /metrics closed when no token is configured, and says how to open it", async () => {
    const app = await startApp({ name: "app-6" });
    const logs: LogEntry[] = [];
    const agent = await agentFor({ name: "app-6", metricsToken: undefined, app: appSection(app) }, { logs });
    // The start says so once, so the host's owner finds out before Prometheus does.
    expect(logs.filter((l) => /metrics is closed/.test(String(l.msg)))).toHaveLength(1);
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer " },
      { authorization: `Bearer ${METRICS_TOKEN}` },
      { authorization: signRequest({ ...key, method: "GET", pathWithQuery: "/metrics" }) },
    ]) {
      const res = await request(`${agent.url}/metrics`, { headers });
      expect(res.status).toBe(403);
      const body = JSON.parse(res.body) as { error: string; message: string };
      expect(body.error).toBe("metrics-closed");
      expect(body.message).toMatch(/set metricsToken in the agent's config/);
      expect(body.message).toMatch(/openMetrics: true/);
      expect(res.body).not.toMatch(/clusterdeck_agent_/);
    }
    expect(logs.filter((l) => l.msg === "request refused" && l.reason === "metrics-closed").length).toBeGreaterThanOrEqual(1);
    // The signed API is unaffected.
    expect((await signed(agent.url, key, "GET", "/v1/status")).status).toBe(200);
    // A token given later (SIGHUP) opens it in place.
    agent.setAuth({ credentials: [key], metricsToken: METRICS_TOKEN });
    const opened = await scrape(agent);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatch(/^clusterdeck_agent_refused_requests_total\{reason="metrics-closed"\} 4$/m);
    agent.setAuth({ credentials: [key] });
    expect((await scrape(agent)).status).toBe(403);
  });

  it("serves /metrics without a token only when the host's owner sets openMetrics", async () => {
    const app = await startApp({ name: "app-7" });
    const agent = await agentFor({ name: "app-7", metricsToken: undefined, openMetrics: true, app: appSection(app) });
    const res = await request(`${agent.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^clusterdeck_agent_up 1$/m);
  });

  let openssl = true;
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
  } catch {
    openssl = false;
  }

  it.skipIf(!openssl)("serves the API over TLS with the configured certificate (self-signed, made by openssl here)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agent-tls-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const certFile = path.join(dir, "cert.pem");
    const keyFile = path.join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "ignore" },
    );
    const ca = readFileSync(certFile);
    const app = await startApp({ name: "app-5" });
    const agent = await agentFor({ name: "app-5", tls: { certFile, keyFile }, app: appSection(app) });
    expect(agent.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const res = await signed(agent.url, key, "GET", "/v1/status", undefined, { ca });
    expect(res.status).toBe(200);
    expect(snapshot.parse(JSON.parse(res.body)).agent.name).toBe("app-5");
    const stream = await openStream(agent.url, key, { ca });
    await waitFor("a line over TLS", () => stream.lines.length >= 2, 3000);
    stream.close();
    const drained = await signed(agent.url, key, "POST", "/v1/actions", DRAIN, { ca });
    expect(drained.status).toBe(200);
    expect((await appStats(app)).draining).toBe(true);
    // An unsigned request over TLS is still refused; plain HTTP gets no API at all; an untrusted cert is refused by the client.
    expect((await request(`${agent.url}/v1/status`, { ca })).status).toBe(401);
    await expect(request(agent.url.replace("https:", "http:") + "/v1/status")).rejects.toThrow();
    await expect(request(`${agent.url}/metrics`)).rejects.toThrow(/self[- ]signed/i);
  });
});
