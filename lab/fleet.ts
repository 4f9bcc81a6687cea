// A fleet of REAL app agents (agent/server.ts, app role) in one process, each
// managing its own settings file, all watching one stub app server. For tests
// and benchmarks that need many enrolled agents without many app servers.
//
//   node --conditions=react-server --import tsx lab/fleet.ts --config fleet.json
//
// fleet.json: { dir, appPort, agents: [{ name, port, keyId, secret }], intervalMs?, metricsToken? }
// Every agent's /metrics takes the fleet's metricsToken (a random one when none is given:
// agents keep /metrics closed without a token).
// It prints "ready" once every agent listens. The stub app also answers a
// control surface on the same port (loopback only), so a test can act on one
// agent as an operator's bad day would:
//   GET  /control/reloads        {name: number of reload calls} (each deploy apply calls it once)
//   POST /control/stop/<name>    the agent stops answering (its port closes)
//   POST /control/start/<name>   the agent starts again with the same config
//   POST /control/sessions/<name>/<n>   that agent's app reports n sessions
//   GET  /control/apps           {name: {sessions, draining}}
// Each agent has its own view of the app (sessions, draining), so a drain can
// be followed on one node while the others serve.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import type { RunningAgent } from "@/agent/server";

export type FleetAgent = { name: string; port: number; keyId: string; secret: string };
export type FleetConfig = { dir: string; appPort: number; agents: FleetAgent[]; intervalMs?: number; metricsToken?: string };

export async function runFleet(config: FleetConfig): Promise<{ close(): Promise<void> }> {
  const { startAgent } = await import("@/agent/server");
  const { parseConfig } = await import("@/agent/config");
  const base = `http://127.0.0.1:${config.appPort}`;
  const reloads = new Map<string, number>(config.agents.map((a) => [a.name, 0]));
  const apps = new Map(config.agents.map((a) => [a.name, { sessions: 0, draining: false }]));
  const running = new Map<string, RunningAgent>();
  const metricsToken = config.metricsToken ?? randomBytes(24).toString("base64url");

  const agentConfig = (a: FleetAgent) =>
    parseConfig({
      name: a.name,
      role: "app",
      listen: { host: "127.0.0.1", port: a.port },
      credentials: [{ keyId: a.keyId, secret: a.secret }],
      intervalMs: config.intervalMs ?? 1000,
      metricsToken,
      app: {
        healthUrl: `${base}/health`,
        statsUrl: `${base}/stats/${encodeURIComponent(a.name)}`,
        drainUrl: `${base}/admin/drain/${encodeURIComponent(a.name)}`,
        resumeUrl: `${base}/admin/resume/${encodeURIComponent(a.name)}`,
        settingsFile: path.join(config.dir, `${a.name}.json`),
        reloadUrl: `${base}/admin/reload/${encodeURIComponent(a.name)}`,
      },
    });
  const start = async (a: FleetAgent) => {
    if (!running.has(a.name)) running.set(a.name, await startAgent(agentConfig(a), { log: () => {} }));
  };
  const stop = async (name: string) => {
    const agent = running.get(name);
    running.delete(name);
    await agent?.close();
  };

  const reply = (res: ServerResponse, status: number, body: unknown) =>
    void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const app = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const stats = /^\/stats\/([^/]+)$/.exec(url);
    if (stats) {
      const app = apps.get(decodeURIComponent(stats[1]!));
      return app ? reply(res, 200, { sessions: app.sessions, requests: 0, draining: app.draining }) : reply(res, 404, { error: "no such app" });
    }
    const admin = /^\/admin\/(drain|resume)\/([^/]+)$/.exec(url);
    if (admin && req.method === "POST") {
      const app = apps.get(decodeURIComponent(admin[2]!));
      if (!app) return reply(res, 404, { error: "no such app" });
      app.draining = admin[1] === "drain";
      return reply(res, 200, { draining: app.draining });
    }
    if (url === "/control/apps") return reply(res, 200, Object.fromEntries(apps));
    const sessions = /^\/control\/sessions\/([^/]+)\/(\d+)$/.exec(url);
    if (sessions && req.method === "POST") {
      const app = apps.get(decodeURIComponent(sessions[1]!));
      if (!app) return reply(res, 404, { error: "no such app" });
      app.sessions = Number(sessions[2]);
      return reply(res, 200, app);
    }
    const reload = /^\/admin\/reload\/([^/]+)$/.exec(url);
    if (reload && req.method === "POST") {
      const name = decodeURIComponent(reload[1]!);
      reloads.set(name, (reloads.get(name) ?? 0) + 1);
      return reply(res, 200, { ok: true });
    }
    if (url === "/control/reloads") return reply(res, 200, Object.fromEntries(reloads));
    const control = /^\/control\/(stop|start)\/([^/]+)$/.exec(url);
    if (control && req.method === "POST") {
      const agent = config.agents.find((a) => a.name === decodeURIComponent(control[2]!));
      if (!agent) return reply(res, 404, { error: "no such agent" });
      void (control[1] === "stop" ? stop(agent.name) : start(agent)).then(
        () => reply(res, 200, { ok: true }),
        (error: Error) => reply(res, 500, { error: error.message }),
      );
      return;
    }
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve, reject) => {
    app.once("error", reject);
    app.listen(config.appPort, "127.0.0.1", resolve);
  });
  for (const a of config.agents) await start(a);
  return {
    async close() {
      await Promise.all([...running.keys()].map(stop));
      await new Promise<void>((resolve) => app.close(() => resolve()));
    },
  };
}

/** Sends a control request to a fleet started with runFleet (see the header). */
export async function fleetControl<T = unknown>(appPort: number, method: "GET" | "POST", what: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${appPort}/control/${what}`, { method });
  if (!res.ok) throw new Error(`fleet control ${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main() {
  const { values } = parseArgs({ options: { config: { type: "string" } } });
  if (!values.config) {
    process.stderr.write("Usage: node --conditions=react-server --import tsx lab/fleet.ts --config fleet.json\n");
    process.exit(2);
  }
  const fleet = await runFleet(JSON.parse(readFileSync(values.config, "utf8")) as FleetConfig);
  process.stdout.write("ready\n");
  const stop = () => void fleet.close().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
