// Protects: an agent manages its target's configuration for the console, on
// the real thing. HAProxy: a candidate is judged by `haproxy -c` (errors with
// their line), a valid one is written atomically and hot-reloaded (a new
// worker, the old file kept as .prev), a reload that fails puts the previous
// file back, and a hand edit shows in the snapshot's checksum. App: settings
// are written 0600 and the app re-reads them. PostgreSQL: settings through
// ALTER SYSTEM + reload, a value PostgreSQL refuses changes nothing, and a
// hand-made ALTER SYSTEM shows as a new checksum. Every request is signed;
// a body whose checksum does not match its content is refused.
import { appendFile, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { AGENT_PATHS } from "@/lib/agent-protocol/types";
import { canonicalJson, configChecksum } from "@/lib/agent-protocol/config/checksum";
import { haproxyInput, renderHaproxy } from "@/lib/config/haproxy";
import { startHaproxy, type HaproxyHandle } from "@/lab/haproxy";
import { startHttpBackend, type HttpBackendHandle } from "@/lab/http-backend";
import { makeLabDir, removeDir } from "@/lab/dirs";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { parseConfig } from "../config";
import { startAgent, type RunningAgent } from "../server";
import { signed, waitFor, type Key } from "../testing/client";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const candidate = (kind: string, content: string, checksum = configChecksum(content)) => JSON.stringify({ kind, content, checksum });
const post = (agent: RunningAgent, key: Key, p: string, body: string) => signed(agent.url, key, "POST", p, body);
const json = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

describe("haproxy", () => {
  let a1: HttpBackendHandle;
  let a2: HttpBackendHandle;
  let lb: HaproxyHandle;
  let agent: RunningAgent;
  const key = generateAgentSecret();
  let render: (servers: { name: string; port: number }[], extra?: { backendExtra?: string; bind?: string }) => string;

  beforeAll(async () => {
    a1 = await startHttpBackend({ name: "a1" });
    a2 = await startHttpBackend({ name: "a2" });
    cleanups.push(
      () => a1.stop(),
      () => a2.stop(),
    );
    lb = await startHaproxy({ backends: [{ name: "app", servers: [{ name: "a1", host: "127.0.0.1", port: a1.port }] }], checkIntervalMs: 100 });
    cleanups.push(() => lb.stop());
    const pidFile = path.join(lb.dir, "haproxy.pid");
    render = (servers, extra = {}) =>
      renderHaproxy(
        {
          loadBalancer: { name: "edge", host: "127.0.0.1", port: lb.frontendPort },
          members: servers.map((s) => ({ ...s, host: "127.0.0.1", weight: 100, backup: false })),
        },
        haproxyInput.parse({ healthCheck: { interMs: 100 }, ...extra }),
        { statsSocket: lb.socketPath, pidFile },
      );
    agent = await startAgent(
      parseConfig({
        name: "lb",
        role: "haproxy",
        listen: { port: 0 },
        credentials: [key],
        intervalMs: 200,
        haproxy: { socket: lb.socketPath, configFile: lb.configFile, pidFile, reloadTimeoutMs: 3000 },
      }),
      { log: () => {} },
    );
    cleanups.push(() => agent.close());
  }, 30_000);

  it("reports the file it runs, signed requests only", async () => {
    const onDisk = await readFile(lb.configFile, "utf8");
    const r = await signed(agent.url, key, "GET", AGENT_PATHS.config);
    expect(r.status).toBe(200);
    expect(json(r)).toEqual({
      kind: "HAPROXY",
      checksum: configChecksum(onDisk),
      content: onDisk,
      // What the console renders with and checks against: this agent's own paths, nothing more allowed.
      policy: { runtime: { statsSocket: lb.socketPath, pidFile: path.join(lb.dir, "haproxy.pid") }, directives: [], files: [], linkLocal: false },
    });
    const wrongKey = await signed(agent.url, generateAgentSecret(), "GET", AGENT_PATHS.config);
    expect(wrongKey.status).toBe(401);
    const snap = await waitFor("a snapshot with the config checksum", () => agent.collector.latest?.config?.checksum);
    expect(snap).toBe(configChecksum(onDisk));
  });

  it("refuses an invalid candidate with HAProxy's own words and line, changing nothing", async () => {
    const before = await readFile(lb.configFile, "utf8");
    const workerBefore = await lb.workerPid();
    const bad = render([{ name: "a1", port: a1.port }], { backendExtra: "option no-such-option" });
    const badLine = bad.split("\n").findIndex((l) => l.includes("no-such-option")) + 1;

    const v = await post(agent, key, AGENT_PATHS.configValidate, candidate("HAPROXY", bad));
    expect(v.status).toBe(200);
    expect(json(v)).toMatchObject({ ok: false, problems: [expect.objectContaining({ line: badLine })] });

    const a = await post(agent, key, AGENT_PATHS.configApply, candidate("HAPROXY", bad));
    expect(a.status).toBe(422);
    expect(json(a)).toMatchObject({ error: "invalid-config", problems: [expect.objectContaining({ line: badLine })] });
    expect(await readFile(lb.configFile, "utf8")).toBe(before);
    expect(await lb.workerPid()).toBe(workerBefore);
  });

  it("refuses a candidate outside the safe set before it reaches the disk or haproxy -c: Lua, programs, host files, its environment", async () => {
    // Lua runs while `haproxy -c` only parses: this script leaves a mark if it ever runs.
    const marker = path.join(lb.dir, "lua-ran");
    const script = path.join(lb.dir, "mark.lua");
    await writeFile(script, `local f = io.open("${marker}", "w"); f:write("ran"); f:close()\n`);
    const secret = `agent-env-secret-${Date.now()}`;
    process.env.CLUSTERDECK_TEST_SECRET = secret; // the agent runs in this process: it has this in its environment
    try {
      const before = await readFile(lb.configFile, "utf8");
      const workerBefore = await lb.workerPid();
      const filesBefore = (await readdir(path.dirname(lb.configFile))).sort();
      const good = render([{ name: "a1", port: a1.port }]);
      const attacks = [
        good.replace("global\n", `global\n    lua-load ${script}\n`),
        `${good}\nprogram evil\n    command /bin/sh -c "touch ${marker}"\n`,
        good
          .replace("global\n", "global\n    insecure-fork-wanted\n")
          .replace("option httpchk", "option external-check\n    external-check command /bin/sh\n    option httpchk"),
        render([{ name: "a1", port: a1.port }], { backendExtra: "http-request return status 200 file /etc/shadow" }),
        render([{ name: "a1", port: a1.port }], { backendExtra: 'http-request set-header X "${CLUSTERDECK_TEST_SECRET}"' }),
        good.replace("global\n", 'global\n    .alert "${CLUSTERDECK_TEST_SECRET}"\n'),
        good.replace(`pidfile ${path.join(lb.dir, "haproxy.pid")}`, "pidfile /etc/passwd"),
      ];
      for (const attack of attacks) {
        for (const p of [AGENT_PATHS.configValidate, AGENT_PATHS.configApply]) {
          const r = await post(agent, key, p, candidate("HAPROXY", attack));
          expect(r.body).not.toContain(secret);
          const body = json(r);
          const problems = body.problems as { line: number; message: string }[];
          expect(problems.length, r.body).toBeGreaterThan(0);
          expect(problems[0]!.line).toBeGreaterThan(0);
          if (p === AGENT_PATHS.configValidate) expect(r.status).toBe(200);
          else expect(r.status).toBe(422);
          expect(body.ok ?? false).toBe(false);
        }
      }
      await new Promise((r) => setTimeout(r, 300));
      await expect(stat(marker)).rejects.toThrow(/ENOENT/);
      expect(await readFile(lb.configFile, "utf8")).toBe(before);
      // Not even a scratch copy was written.
      expect((await readdir(path.dirname(lb.configFile))).sort()).toEqual(filesBefore);
      expect(await lb.workerPid()).toBe(workerBefore);
    } finally {
      delete process.env.CLUSTERDECK_TEST_SECRET;
    }
  });

  it("refuses a body whose checksum does not match, or of another kind, or malformed", async () => {
    const good = render([{ name: "a1", port: a1.port }]);
    const before = await readFile(lb.configFile, "utf8");
    expect((await post(agent, key, AGENT_PATHS.configApply, candidate("HAPROXY", good, configChecksum(good + " ")))).status).toBe(422);
    expect((await post(agent, key, AGENT_PATHS.configApply, candidate("APP", good))).status).toBe(422);
    expect((await post(agent, key, AGENT_PATHS.configApply, JSON.stringify({ kind: "HAPROXY", content: good }))).status).toBe(422);
    expect((await post(agent, key, AGENT_PATHS.configApply, "{not json")).status).toBe(400);
    expect(await readFile(lb.configFile, "utf8")).toBe(before);
  });

  it("applies a valid one with a hitless reload: new worker, new server serving, previous kept as .prev", async () => {
    const before = await readFile(lb.configFile, "utf8");
    const workerBefore = await lb.workerPid();
    const next = render([
      { name: "a1", port: a1.port },
      { name: "a2", port: a2.port },
    ]);
    const r = await post(agent, key, AGENT_PATHS.configApply, candidate("HAPROXY", next));
    expect(r.status, r.body).toBe(200);
    expect(json(r)).toEqual({ ok: true, checksum: configChecksum(next) });
    expect(await readFile(lb.configFile, "utf8")).toBe(next);
    expect(await readFile(`${lb.configFile}.prev`, "utf8")).toBe(before);
    expect(await lb.workerPid()).not.toBe(workerBefore);
    const stat = await lb.command("show stat");
    expect(stat).toMatch(/be_edge,a2,/);
    // Both servers answer through the frontend once checks pass.
    await waitFor(
      "both servers serving",
      async () => {
        const names = new Set<string>();
        for (let i = 0; i < 8; i++) names.add(((await (await fetch(`${lb.url}/`)).json()) as { server: string }).server);
        return names.size === 2;
      },
      10_000,
      100,
    );
  });

  it("puts the previous file back when the reload fails", async () => {
    const before = await readFile(lb.configFile, "utf8");
    // A bind HAProxy cannot take at reload time, though `haproxy -c` accepts it.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as net.AddressInfo).port;
    const next = render([{ name: "a1", port: a1.port }], { backendExtra: "", bind: `127.0.0.1:${lb.frontendPort}` }).replace(
      `bind 127.0.0.1:${lb.frontendPort}`,
      `bind 127.0.0.1:${lb.frontendPort}\n    bind 127.0.0.1:${port}`,
    );
    const r = await post(agent, key, AGENT_PATHS.configApply, candidate("HAPROXY", next));
    expect(r.status, r.body).toBe(502);
    expect(json(r).message).toMatch(/put back/);
    expect(await readFile(lb.configFile, "utf8")).toBe(before);
    expect((await fetch(`${lb.url}/`)).status).toBe(200);
  }, 20_000);

  it("shows a hand edit as a new checksum in the snapshots", async () => {
    await appendFile(lb.configFile, "# edited by hand\n");
    const edited = configChecksum(await readFile(lb.configFile, "utf8"));
    await waitFor("the edited file's checksum in a snapshot", () => agent.collector.latest?.config?.checksum === edited);
  });
});

describe("app", () => {
  it("writes the settings 0600 and the app re-reads them; invalid settings change nothing", async () => {
    const dir = await makeLabDir("managed-app");
    cleanups.push(() => removeDir(dir));
    const settingsFile = path.join(dir, "settings.json");
    const first = canonicalJson({ database: { url: "postgresql://app:one@127.0.0.1:1/first" }, sessionIdleSeconds: 60, logLevel: "info" });
    await writeFile(settingsFile, first);
    const app: AppServer = await startAppServer({ port: 0, name: "app-m", settingsFile });
    cleanups.push(() => app.close());
    const key = generateAgentSecret();
    const agent = await startAgent(
      parseConfig({
        name: "app-m",
        role: "app",
        listen: { port: 0 },
        credentials: [key],
        intervalMs: 200,
        app: { healthUrl: `${app.url}/health`, statsUrl: `${app.url}/stats`, settingsFile, reloadUrl: `${app.url}/admin/reload` },
      }),
      { log: () => {} },
    );
    cleanups.push(() => agent.close());
    const stats = async () => (await (await fetch(`${app.url}/stats`)).json()) as { db: string };
    expect((await stats()).db).toContain("/first");

    const next = canonicalJson({ database: { url: "postgresql://app:two@127.0.0.1:2/second" }, sessionIdleSeconds: 30, logLevel: "warn" });
    const r = await post(agent, key, AGENT_PATHS.configApply, candidate("APP", next));
    expect(r.status, r.body).toBe(200);
    expect(json(r)).toEqual({ ok: true, checksum: configChecksum(next) });
    expect((await stats()).db).toContain("/second");
    expect((await stat(settingsFile)).mode & 0o777).toBe(0o600);
    expect((await stats()).db).not.toContain("two");

    const bad = canonicalJson({ database: { url: "mysql://nope" } });
    const refused = await post(agent, key, AGENT_PATHS.configApply, candidate("APP", bad));
    expect(refused.status).toBe(422);
    expect(json(refused).problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/database\.url/) })]);
    expect(await readFile(settingsFile, "utf8")).toBe(next);
  });
});

describe("postgres", () => {
  let server: TestPostgres;
  let agent: RunningAgent;
  const key = generateAgentSecret();

  beforeAll(async () => {
    server = await startTestPostgres();
    cleanups.push(() => server.stop());
    agent = await startAgent(
      parseConfig({ name: "db", role: "postgres", listen: { port: 0 }, credentials: [key], intervalMs: 200, postgres: { url: server.url } }),
      { log: () => {} },
    );
    cleanups.push(() => agent.close());
  }, 60_000);

  async function show(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return String((await client.query(`SHOW ${name}`)).rows[0]![name]);
    } finally {
      await client.end();
    }
  }

  it("applies settings through ALTER SYSTEM and a reload, and reads them back", async () => {
    const next = canonicalJson({ settings: { statement_timeout: "45s", work_mem: "8MB" } });
    const r = await post(agent, key, AGENT_PATHS.configApply, candidate("POSTGRES", next));
    expect(r.status, r.body).toBe(200);
    expect(json(r)).toEqual({ ok: true, checksum: configChecksum(next) });
    await waitFor("work_mem 8MB in a new session", async () => (await show("work_mem")) === "8MB");
    expect(await show("statement_timeout")).toBe("45s");
    const current = json(await signed(agent.url, key, "GET", AGENT_PATHS.config));
    expect(current).toMatchObject({ kind: "POSTGRES", checksum: configChecksum(next), content: next });
  });

  it("refuses a value PostgreSQL refuses, leaving the settings as they were", async () => {
    const bad = canonicalJson({ settings: { statement_timeout: "10s", work_mem: "1kB" } }); // below work_mem's minimum
    const r = await post(agent, key, AGENT_PATHS.configApply, candidate("POSTGRES", bad));
    expect(r.status, r.body).toBe(422);
    expect(await show("work_mem")).toBe("8MB");
    expect(await show("statement_timeout")).toBe("45s");
    const current = json(await signed(agent.url, key, "GET", AGENT_PATHS.config));
    expect(current.content).toBe(canonicalJson({ settings: { statement_timeout: "45s", work_mem: "8MB" } }));
  });

  it("shows a hand-made ALTER SYSTEM as a new checksum", async () => {
    const deployed = agent.collector.latest?.config?.checksum;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query("ALTER SYSTEM SET work_mem = '16MB'");
    await client.end();
    const seen = await waitFor("a new checksum", () => {
      const c = agent.collector.latest?.config?.checksum;
      return c && c !== deployed ? c : null;
    });
    expect(seen).toBe(configChecksum(canonicalJson({ settings: { statement_timeout: "45s", work_mem: "16MB" } })));
  });
});
