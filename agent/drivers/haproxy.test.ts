// The haproxy driver against a real HAProxy (lab/haproxy.ts) balancing two real
// HTTP servers on loopback. Checks run every 100 ms so DOWN shows within a second.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentAction, haproxyStatus, type HaproxyServer } from "@/lib/agent-protocol/types";
import { type HaproxyHandle, startHaproxy } from "@/lab/haproxy";
import { type HttpBackendHandle, startHttpBackend } from "@/lab/http-backend";
import { makeLabDir, removeDir } from "@/lab/dirs";
import { waitFor } from "@/lab/process";
import { createHaproxyDriver, parseCsv, parseShowStat } from "./haproxy";
import { ActionError, type Driver, type DriverReport } from "./types";
import { exposition } from "../prom";

let app1: HttpBackendHandle;
let app2: HttpBackendHandle;
let lb: HaproxyHandle;
let driver: Driver;

beforeAll(async () => {
  app1 = await startHttpBackend({ name: "app1" });
  app2 = await startHttpBackend({ name: "app2" });
  lb = await startHaproxy({
    backends: [
      {
        name: "app",
        servers: [
          { name: "app1", host: "127.0.0.1", port: app1.port, weight: 3 },
          { name: "app2", host: "127.0.0.1", port: app2.port, weight: 1 },
        ],
      },
      // A static algorithm: HAProxy itself refuses most weight changes there.
      { name: "static", balance: "static-rr", servers: [{ name: "s1", host: "127.0.0.1", port: app1.port }] },
    ],
    stickyCookie: "SERVERID",
    checkIntervalMs: 100,
  });
  driver = createHaproxyDriver({ socket: lb.socketPath, configFile: lb.configFile, timeoutMs: 2000 });
});

afterAll(async () => {
  await driver?.close();
  await lb?.stop();
  await app1?.stop();
  await app2?.stop();
});

function haproxyOf(report: DriverReport) {
  if (!("haproxy" in report)) throw new Error("not a haproxy report");
  return haproxyStatus.parse(report.haproxy); // what the worker will accept
}

async function server(name: string, backend = "app"): Promise<HaproxyServer> {
  const s = haproxyOf(await driver.collect()).servers.find((x) => x.backend === backend && x.name === name);
  if (!s) throw new Error(`no ${backend}/${name}`);
  return s;
}

async function act(raw: unknown) {
  return driver.act(agentAction.parse(raw));
}

async function actError(raw: unknown): Promise<ActionError> {
  const error = await driver.act(raw as never).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

/** Which backend server answers a fresh client (no cookie) through the frontend. */
async function servedBy(times: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(lb.url, { headers: { connection: "close" } });
    names.push(((await res.json()) as { server: string }).server);
  }
  return names;
}

describe("createHaproxyDriver config", () => {
  it("refuses bad or unknown fields", () => {
    expect(() => createHaproxyDriver({})).toThrow(/socket/);
    expect(() => createHaproxyDriver({ socket: "/x.sock", extra: 1 })).toThrow(/extra/);
    expect(() => createHaproxyDriver({ socket: "/x.sock", timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(createHaproxyDriver({ socket: "/x.sock" }).role).toBe("haproxy");
  });
});

describe("haproxy driver against a hung socket", () => {
  it("reports DOWN within its timeout", async () => {
    const dir = await makeLabDir("hung");
    const socketPath = path.join(dir, "hung.sock");
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => void sockets.push(s)).listen(socketPath);
    await new Promise((r) => hung.once("listening", r));
    try {
      const driver = createHaproxyDriver({ socket: socketPath, timeoutMs: 200 });
      const started = Date.now();
      const report = await driver.collect();
      expect(report.health).toBe("DOWN");
      expect(report.reasons[0]).toMatch(/no answer to "show (info|stat|servers)" within 200 ms/);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      for (const s of sockets) s.destroy();
      hung.close();
      await removeDir(dir);
    }
  });
});

describe("show stat parsing", () => {
  it("reads columns by header name and honours CSV quoting", () => {
    expect(parseCsv('a,"b,c","d""e",\n1,2,3,\n')).toEqual([
      ["a", "b,c", 'd"e', ""],
      ["1", "2", "3", ""],
    ]);
    const rows = parseShowStat('# pxname,svname,status,check_desc,type,\napp,s1,UP,"Layer7, ok",2,\n\n');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.get("check_desc")).toBe("Layer7, ok");
    expect(rows[0]!.get("type")).toBe("2");
  });
});

describe("haproxy driver against a real HAProxy", () => {
  it("reports every server UP with its weight, the frontend, version and config checksum", async () => {
    // Servers start UP with check status INI until their first check has run.
    const report = await waitFor("both servers UP and checked", async () => {
      const r = await driver.collect();
      const h = haproxyOf(r);
      return h.servers.filter((s) => s.backend === "app" && s.status.startsWith("UP") && s.checkStatus === "L7OK").length === 2 ? r : undefined;
    });
    expect(report.health).toBe("UP");
    expect(report.reasons).toEqual([]);
    const h = haproxyOf(report);
    expect(h.version).toMatch(/^2\./);
    const app = h.servers.filter((s) => s.backend === "app");
    expect(app.map((s) => [s.name, s.weight, s.adminState, s.checkStatus])).toEqual([
      ["app1", 3, "READY", "L7OK"],
      ["app2", 1, "READY", "L7OK"],
    ]);
    expect(app[0]!.address).toBe(`127.0.0.1:${app1.port}`);
    // Aggregate rows are not servers.
    expect(h.servers.some((s) => s.name === "BACKEND" || s.name === "FRONTEND")).toBe(false);
    expect(h.frontends.map((f) => f.name)).toEqual(["fe"]);
    const sha = createHash("sha256")
      .update(await readFile(lb.configFile))
      .digest("hex");
    expect(h.configChecksum).toBe(sha);

    await servedBy(4);
    const after = await server("app1");
    expect(after.totalSessions).toBeGreaterThan(0);
  });

  it("drain, maint and ready change the admin state in HAProxy", async () => {
    const drained = (await act({ action: "haproxy.set-state", backend: "app", server: "app1", state: "drain" })) as {
      server: HaproxyServer;
    };
    expect(drained.server).toMatchObject({ name: "app1", status: "DRAIN", adminState: "DRAIN" });
    // HAProxy itself agrees (admin bits: 0x08 = forced drain), and sends new clients elsewhere.
    expect(await lb.command("show servers state app")).toMatch(/ app \d+ app1 127\.0\.0\.1 2 8 /);
    expect(new Set(await servedBy(4))).toEqual(new Set(["app2"]));
    expect((await driver.collect()).health).toBe("UP");

    await act({ action: "haproxy.set-state", backend: "app", server: "app1", state: "maint" });
    const maint = await server("app1");
    expect(maint).toMatchObject({ status: "MAINT", adminState: "MAINT" });
    // Maintenance is an operator's choice, not a failure.
    const report = await driver.collect();
    expect(report.health).toBe("UP");

    await act({ action: "haproxy.set-state", backend: "app", server: "app1", state: "ready" });
    const ready = await server("app1");
    expect(ready.adminState).toBe("READY");
    expect(ready.status).toMatch(/^UP/);
    expect(new Set(await servedBy(8))).toEqual(new Set(["app1", "app2"]));
  });

  it("set-weight changes the weight", async () => {
    const result = (await act({ action: "haproxy.set-weight", backend: "app", server: "app2", weight: 7 })) as { server: HaproxyServer };
    expect(result.server.weight).toBe(7);
    expect((await server("app2")).weight).toBe(7);
    await act({ action: "haproxy.set-weight", backend: "app", server: "app2", weight: 1 });
    expect((await server("app2")).weight).toBe(1);
  });

  it("unknown backend or server → 422 and nothing changed", async () => {
    const before = await lb.command("show servers state");
    const noBackend = await actError({ action: "haproxy.set-state", backend: "nope", server: "app1", state: "maint" });
    expect(noBackend.status).toBe(422);
    expect(noBackend.message).toMatch(/no backend "nope"/);
    const noServer = await actError({ action: "haproxy.set-weight", backend: "app", server: "app9", weight: 0 });
    expect(noServer.status).toBe(422);
    expect(noServer.message).toMatch(/no server "app9"/);
    // Smuggled command text never reaches the socket (the schema refuses it too).
    const smuggled = await actError({ action: "haproxy.set-state", backend: "app", server: "app1\nshutdown sessions server app/app1", state: "maint" });
    expect(smuggled.status).toBe(422);
    const wrongRole = await actError({ action: "app.drain" });
    expect(wrongRole.status).toBe(422);
    const stateNow = await lb.command("show servers state");
    const strip = (s: string) => s.split("\n").map((l) => l.split(" ").slice(0, 9).join(" ")); // drop timers
    expect(strip(stateNow)).toEqual(strip(before));
  });

  it("HAProxy refusing a command → 502 with its words", async () => {
    const error = await actError({ action: "haproxy.set-weight", backend: "static", server: "s1", weight: 5 });
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/static LB algorithm/);
    expect((await server("s1", "static")).weight).toBe(1);
  });

  it("exports per-server gauges", async () => {
    await driver.collect();
    const text = await exposition((r) => driver.metrics(r));
    expect(text).toContain("# TYPE clusterdeck_haproxy_server_up gauge");
    expect(text).toContain('clusterdeck_haproxy_server_up{backend="app",server="app1"} 1');
    expect(text).toContain('clusterdeck_haproxy_server_weight{backend="app",server="app1"} 3');
    expect(text).toContain('clusterdeck_haproxy_server_admin_state{backend="app",server="app1",state="READY"} 1');
    expect(text).toContain('clusterdeck_haproxy_server_admin_state{backend="app",server="app1",state="DRAIN"} 0');
    expect(text).toMatch(/^clusterdeck_haproxy_server_sessions\{backend="app",server="app2"\} \d+$/m);
    expect(text).toContain("clusterdeck_haproxy_up 1");
  });

  it("keeps working across a hitless reload", async () => {
    const before = await lb.workerPid();
    const after = await lb.reload();
    expect(after).not.toBe(before);
    const r = await driver.collect();
    expect(r.health).not.toBe("DOWN");
    expect(haproxyOf(r).servers.filter((s) => s.backend === "app")).toHaveLength(2);
  });

  it("a killed backend server turns DOWN and the driver DEGRADED, naming it; a drain survives it", async () => {
    await act({ action: "haproxy.set-state", backend: "app", server: "app2", state: "drain" });
    await app2.stop();
    const report = await waitFor(
      "app2 DOWN",
      async () => {
        const r = await driver.collect();
        return haproxyOf(r)
          .servers.find((s) => s.name === "app2")
          ?.status.startsWith("DOWN")
          ? r
          : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(report.health).toBe("DEGRADED");
    expect(report.reasons.join(" ")).toMatch(/app\/app2/);
    expect(report.reasons.join(" ")).not.toMatch(/app1/);
    const app2Now = haproxyOf(report).servers.find((s) => s.name === "app2")!;
    // HAProxy's status says only DOWN; the admin bits keep the operator's drain.
    expect(app2Now).toMatchObject({ status: "DOWN", adminState: "DRAIN" });
    // A refused connection is L4CON, or SOCKERR when the check's socket fails first (seen in CI): both say "cannot connect".
    expect(["L4CON", "SOCKERR"]).toContain(app2Now.checkStatus);
    expect(await exposition((r) => driver.metrics(r))).toContain('clusterdeck_haproxy_server_up{backend="app",server="app2"} 0');
  });

  it("HAProxy gone → DOWN with the reason; actions → 502", async () => {
    await lb.stop();
    const report = await driver.collect();
    expect(report.health).toBe("DOWN");
    expect(report.reasons[0]).toMatch(/cannot reach the HAProxy runtime API/);
    expect(haproxyOf(report).servers).toEqual([]);
    expect(await exposition((r) => driver.metrics(r))).toContain("clusterdeck_haproxy_up 0");
    const error = await actError({ action: "haproxy.set-state", backend: "app", server: "app1", state: "drain" });
    expect(error.status).toBe(502);
  });
});
