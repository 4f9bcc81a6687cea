// The app driver against real HTTP servers on loopback: a scriptable one
// (to play a misbehaving app) and the demo app server.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appStatus } from "@/lib/agent-protocol/types";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "../config";
import { closedPort, request, sleep } from "../testing/client";
import { createAppDriver } from "./app";
import { ActionError } from "./types";
import { exposition } from "../prom";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** An HTTP server whose answer per path the test sets. Unknown paths hang (never answer). */
async function scriptable(): Promise<{ url: string; routes: Map<string, Handler>; close(): Promise<void> }> {
  const routes = new Map<string, Handler>();
  const server = http.createServer((req, res) => routes.get((req.url ?? "").split("?")[0]!)?.(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

function driverFor(app: NonNullable<AgentConfigInput["app"]>, intervalMs = 1000) {
  const config = parseConfig({ name: "t", role: "app", listen: { port: 0 }, credentials: [{ keyId: "ak_test", secret: "s".repeat(43) }], intervalMs, app });
  return createAppDriver(config.app!);
}

describe("app driver", () => {
  let fake: Awaited<ReturnType<typeof scriptable>>;
  let demo: AppServer;
  beforeAll(async () => {
    fake = await scriptable();
    demo = await startAppServer({ port: 0, name: "app-t" });
  });
  afterAll(async () => {
    await fake.close();
    await demo.close();
  });

  it("computes request and error rates from counter deltas, across a counter reset", async () => {
    let stats = { sessions: 3, requests: 100, errors: 5, latencyMs: 12.5, draining: false };
    fake.routes.set("/health", json(200, { ok: true }));
    fake.routes.set("/stats", (req, res) => json(200, stats)(req, res));
    const driver = driverFor({ healthUrl: `${fake.url}/health`, statsUrl: `${fake.url}/stats` });

    const first = await driver.collect();
    expect(first).toMatchObject({ health: "UP", reasons: [], app: { sessions: 3, requestRate: 0, errorRate: 0, latencyMs: 12.5, draining: false } });
    const t0 = performance.now();
    await sleep(300);
    stats = { ...stats, requests: 160, errors: 8 };
    const second = await driver.collect();
    const elapsed = (performance.now() - t0) / 1000;
    if (!("app" in second)) throw new Error("no app section");
    appStatus.parse(second.app);
    // 60 requests and 3 errors over about `elapsed` seconds (the driver times it itself).
    expect(second.app.requestRate * elapsed).toBeGreaterThan(60 * 0.7);
    expect(second.app.requestRate * elapsed).toBeLessThan(60 * 1.3);
    expect(second.app.errorRate * elapsed).toBeGreaterThan(3 * 0.7);
    expect(second.app.errorRate * elapsed).toBeLessThan(3 * 1.3);

    // The app restarted: its counters start again from zero; the rate counts what it has done since.
    await sleep(300);
    stats = { ...stats, requests: 30, errors: 0 };
    const third = await driver.collect();
    if (!("app" in third)) throw new Error("no app section");
    expect(third.app.requestRate).toBeGreaterThan(30 / 1);
    expect(third.app.requestRate).toBeLessThan(30 / 0.2);
    expect(third.app.errorRate).toBe(0);
    await driver.close();
  });

  it("measures the demo app's real traffic", async () => {
    const driver = driverFor({ healthUrl: `${demo.url}/health`, statsUrl: `${demo.url}/stats` });
    await driver.collect();
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) await request(`${demo.url}/`);
    await sleep(100);
    const report = await driver.collect();
    const elapsed = (performance.now() - t0) / 1000;
    if (!("app" in report)) throw new Error("no app section");
    expect(report.health).toBe("UP");
    expect(report.app.sessions).toBe(20); // no cookies kept: every request opened a session
    expect(report.app.requestRate * elapsed).toBeGreaterThan(20 * 0.6);
    expect(report.app.requestRate * elapsed).toBeLessThan(20 * 1.4);
    expect(report.app.latencyMs).not.toBeNull();
    await driver.close();
  });

  it("is DEGRADED when the stats fail but health answers, keeping the last known figures", async () => {
    fake.routes.set("/h2", json(200, {}));
    fake.routes.set("/s2", json(200, { sessions: 7, requests: 1, draining: true }));
    const driver = driverFor({ healthUrl: `${fake.url}/h2`, statsUrl: `${fake.url}/s2` });
    await driver.collect();
    fake.routes.set("/s2", json(500, { error: "boom" }));
    const failed = await driver.collect();
    expect(failed.health).toBe("DEGRADED");
    expect(failed.reasons).toEqual([`stats ${fake.url}/s2: HTTP 500 (sessions and draining are the last known values)`]);
    expect(failed).toMatchObject({ app: { sessions: 7, draining: true } });
    fake.routes.set("/s2", (_req, res) => res.end("<html>not json</html>"));
    expect((await driver.collect()).reasons).toEqual([`stats ${fake.url}/s2: answer is not JSON (sessions and draining are the last known values)`]);
    fake.routes.set("/s2", json(200, { sessions: -1, requests: 0 }));
    expect((await driver.collect()).reasons[0]).toMatch(/^stats .*: unexpected answer: sessions: /);
    await driver.close();
  });

  it("is DOWN when health fails or times out, and never shows URL credentials", async () => {
    let sentAuth: string | undefined;
    fake.routes.set("/h3", (req, res) => {
      sentAuth = req.headers.authorization;
      json(503, {})(req, res);
    });
    fake.routes.set("/s3", json(200, { sessions: 0, requests: 0 }));
    const withCreds = fake.url.replace("http://", "http://user:hunter2@");
    const driver = driverFor({ healthUrl: `${withCreds}/h3?token=abc`, statsUrl: `${fake.url}/s3` });
    const down = await driver.collect();
    expect(down.health).toBe("DOWN");
    expect(down.reasons).toEqual([`health ${fake.url}/h3: HTTP 503`]);
    expect(JSON.stringify(down) + (await exposition((r) => driver.metrics(r)))).not.toMatch(/hunter2|token=abc/);
    // The URL's user and password went as Basic auth.
    expect(sentAuth).toBe("Basic " + Buffer.from("user:hunter2").toString("base64"));
    await driver.close();

    // "/hang" has no handler: the server accepts and never answers.
    const slow = driverFor({ healthUrl: `${fake.url}/hang`, statsUrl: `${fake.url}/s3`, timeoutMs: 150 }, 1000);
    const started = performance.now();
    const timedOut = await slow.collect();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(timedOut.health).toBe("DOWN");
    expect(timedOut.reasons).toEqual([`health ${fake.url}/hang: timed out after 150 ms`]);
    await slow.close();
  });

  it("probes back-ends over HTTP (2xx/3xx up) and TCP, in parallel, naming the failing ones", async () => {
    fake.routes.set("/ok", json(200, {}));
    fake.routes.set("/moved", (_req, res) => {
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    fake.routes.set("/broken", json(500, {}));
    const closed = await closedPort();
    const driver = driverFor({
      healthUrl: `${demo.url}/health`,
      statsUrl: `${demo.url}/stats`,
      timeoutMs: 300,
      backends: [
        { name: "ok", url: `${fake.url}/ok` },
        { name: "moved", url: `${fake.url}/moved` },
        { name: "broken", url: `${fake.url}/broken` },
        { name: "hung", url: `${fake.url}/hang-too` },
        { name: "self-tcp", tcp: `127.0.0.1:${demo.port}` },
        { name: "orders-db", tcp: `127.0.0.1:${closed}` },
        { name: 'we"ird\\name', tcp: `127.0.0.1:${closed}` },
      ],
    });
    const started = performance.now();
    const report = await driver.collect();
    // One hung probe of 300 ms, not the sum of all.
    expect(performance.now() - started).toBeLessThan(900);
    if (!("app" in report)) throw new Error("no app section");
    expect(report.health).toBe("DEGRADED");
    expect(report.app.backends.map((b) => [b.name, b.up])).toEqual([
      ["ok", true],
      ["moved", true],
      ["broken", false],
      ["hung", false],
      ["self-tcp", true],
      ["orders-db", false],
      ['we"ird\\name', false],
    ]);
    expect(report.reasons).toEqual([
      `backend 'broken' (${fake.url}/broken): HTTP 500`,
      `backend 'hung' (${fake.url}/hang-too): timed out after 300 ms`,
      `backend 'orders-db' (127.0.0.1:${closed}): connection refused`,
      `backend 'we"ird\\name' (127.0.0.1:${closed}): connection refused`,
    ]);
    const metrics = await exposition((r) => driver.metrics(r));
    expect(metrics).toContain(`clusterdeck_app_backend_up{backend="self-tcp",target="127.0.0.1:${demo.port}"} 1`);
    expect(metrics).toContain(`clusterdeck_app_backend_up{backend="we\\"ird\\\\name",target="127.0.0.1:${closed}"} 0`);
    expect(metrics).toMatch(/^clusterdeck_app_backend_latency_seconds\{backend="ok",target="[^"]+"\} 0\.\d+/m);
    expect(metrics).toContain(`clusterdeck_app_backend_latency_seconds{backend="orders-db",target="127.0.0.1:${closed}"} Nan`); // prom-client writes NaN so; Prometheus reads either
    await driver.close();
  });

  it("drains and resumes through the configured URLs, with 409 when one is missing and 502 when the app fails", async () => {
    const driver = driverFor({ healthUrl: `${demo.url}/health`, statsUrl: `${demo.url}/stats`, drainUrl: `${demo.url}/admin/drain` });
    expect(await driver.act({ action: "app.drain" })).toMatchObject({ status: 200, answer: { draining: true } });
    expect(JSON.parse((await request(`${demo.url}/stats`)).body).draining).toBe(true);
    const missing = await driver.act({ action: "app.resume" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ActionError);
    expect(missing).toMatchObject({ status: 409, message: "app.resume needs app.resumeUrl in this agent's config" });
    await request(`${demo.url}/admin/resume`, { method: "POST" });

    const foreign = await driver.act({ action: "haproxy.set-weight", backend: "b", server: "s", weight: 1 }).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ status: 422 });

    const notFound = driverFor({ healthUrl: `${demo.url}/health`, statsUrl: `${demo.url}/stats`, drainUrl: `${demo.url}/admin/nope` });
    expect(await notFound.act({ action: "app.drain" }).catch((e: unknown) => e)).toMatchObject({
      status: 502,
      message: `POST ${demo.url}/admin/nope: the app answered HTTP 404`,
    });
    const port = await closedPort();
    const gone = driverFor({ healthUrl: `${demo.url}/health`, statsUrl: `${demo.url}/stats`, drainUrl: `http://127.0.0.1:${port}/admin/drain` });
    expect(await gone.act({ action: "app.drain" }).catch((e: unknown) => e)).toMatchObject({
      status: 502,
      message: `POST http://127.0.0.1:${port}/admin/drain: connection refused`,
    });
    for (const d of [driver, notFound, gone]) await d.close();
  });

  it("holds and releases writes through the configured URLs, and answers 422 for an app that cannot hold them", async () => {
    const base = { healthUrl: `${demo.url}/health`, statsUrl: `${demo.url}/stats` };
    const driver = driverFor({ ...base, holdWritesUrl: `${demo.url}/admin/hold-writes`, releaseWritesUrl: `${demo.url}/admin/release-writes` });
    expect(await driver.act({ action: "app.hold-writes", ms: 5000 })).toMatchObject({ status: 200, answer: { holdingMs: 5000, held: 0 } });
    expect(JSON.parse((await request(`${demo.url}/stats`)).body).holdRemainingMs).toBeGreaterThan(4000);
    expect(await driver.act({ action: "app.release-writes" })).toMatchObject({ status: 200, answer: { released: 0 } });
    expect(JSON.parse((await request(`${demo.url}/stats`)).body).holdRemainingMs).toBeNull();

    const plain = driverFor(base);
    for (const action of [{ action: "app.hold-writes", ms: 1000 }, { action: "app.release-writes" }] as const) {
      expect(await plain.act(action).catch((e: unknown) => e)).toMatchObject({ status: 422, message: expect.stringMatching(/^this app cannot hold writes/) });
    }
    expect(() => driverFor({ ...base, holdWritesUrl: `${demo.url}/admin/hold-writes` })).toThrow(
      /app.releaseWritesUrl: holdWritesUrl and releaseWritesUrl go together/,
    );
    for (const d of [driver, plain]) await d.close();
  });
});
