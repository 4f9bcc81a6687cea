// The request rates the agent reports for HAProxy's servers, backends and
// frontends against HAProxy's own counters. A real HAProxy (lab/haproxy.ts)
// balances two real HTTP servers 3:1; one client sends 40 requests a second
// over a single keep-alive connection, so the frontend's connection rate is
// about 0 while its request rate is 40 (the figure the page used to get wrong).
// The test reads `show stat` itself at both ends of a window and compares the
// counters' growth per second with the rates in the agent's stream meanwhile.
import http from "node:http";
import { performance } from "node:perf_hooks";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshot as snapshotSchema, type Snapshot } from "@/lib/agent-protocol/types";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { type HaproxyHandle, startHaproxy } from "@/lab/haproxy";
import { type HttpBackendHandle, startHttpBackend } from "@/lab/http-backend";
import { parseConfig } from "../config";
import { startAgent, type RunningAgent } from "../server";
import { openStream, sleep, waitFor, type OpenStream } from "../testing/client";
import { parseShowStat } from "./haproxy";

const RPS = 40;
const WINDOW_MS = 5000;
const key = generateAgentSecret();
let app1: HttpBackendHandle;
let app2: HttpBackendHandle;
let lb: HaproxyHandle;
let agent: RunningAgent;
let stream: OpenStream;

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
    ],
    checkIntervalMs: 200,
  });
  agent = await startAgent(
    parseConfig({ name: "lb", role: "haproxy", listen: { port: 0 }, credentials: [key], intervalMs: 1000, haproxy: { socket: lb.socketPath } }),
    { log: () => {} },
  );
  stream = await openStream(agent.url, key);
}, 30_000);

afterAll(async () => {
  stream?.close();
  await agent?.close();
  await lb?.stop();
  await app1?.stop();
  await app2?.stop();
});

/** Snapshots received after `since` (performance.now()). */
function snapshotsSince(since: number): Snapshot[] {
  return stream.lines
    .filter((l) => l.at > since)
    .flatMap((l) => {
      const parsed = snapshotSchema.safeParse(JSON.parse(l.line));
      return parsed.success ? [parsed.data] : [];
    });
}

/** `rps` requests a second on one keep-alive connection, paced by the clock, until stopped. */
function keepAliveLoad(url: string, rps: number) {
  const connection = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  let sent = 0;
  const start = performance.now();
  const done = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve, reject) =>
        http.get(`${url}/load`, { agent: connection }, (res) => res.resume().on("end", resolve)).on("error", reject),
      );
      sent++;
      const wait = start + (sent * 1000) / rps - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      connection.destroy();
    },
  };
}

async function counters() {
  const rows = parseShowStat(await lb.command("show stat"));
  const at = performance.now();
  const get = (type: string, sv: string, col: string) => Number(rows.find((r) => r.get("type") === type && r.get("svname") === sv)?.get(col));
  return {
    at,
    app1: get("2", "app1", "req_tot"),
    app2: get("2", "app2", "req_tot"),
    backend: get("1", "BACKEND", "req_tot"),
    frontend: get("0", "FRONTEND", "req_tot"),
    connections: get("0", "FRONTEND", "conn_tot"),
  };
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

describe("request rates from counter deltas", () => {
  it("the first collection has no rate (null, not 0)", async () => {
    const first = await waitFor("a first snapshot", () => snapshotsSince(0)[0]);
    expect(first.haproxy!.servers.map((s) => s.requestRate)).toEqual([null, null]);
    expect(first.haproxy!.backends!.map((b) => b.requestRate)).toEqual([null]);
  });

  it("per server, backend and frontend within 10 % of HAProxy's counters under keep-alive load", async () => {
    const load = keepAliveLoad(lb.url, RPS);
    try {
      await sleep(2500); // at least two collections under load
      const before = await counters();
      await sleep(WINDOW_MS);
      const after = await counters();
      const seconds = (after.at - before.at) / 1000;
      const truth = {
        app1: (after.app1 - before.app1) / seconds,
        app2: (after.app2 - before.app2) / seconds,
        backend: (after.backend - before.backend) / seconds,
        frontend: (after.frontend - before.frontend) / seconds,
      };
      // The window's snapshots: each rate covers the interval since the collection before it.
      const snaps = snapshotsSince(before.at).filter((s) => s.haproxy?.servers[0]?.requestRate != null);
      expect(snaps.length).toBeGreaterThanOrEqual(4);
      const server = (name: string) => mean(snaps.map((s) => s.haproxy!.servers.find((x) => x.name === name)!.requestRate!));
      const reported = {
        app1: server("app1"),
        app2: server("app2"),
        backend: mean(snaps.map((s) => s.haproxy!.backends![0]!.requestRate!)),
        frontend: mean(snaps.map((s) => s.haproxy!.frontends[0]!.requestRate!)),
      };
      console.log("request rates, HAProxy counters vs agent (req/s):", JSON.stringify({ truth, reported, snapshots: snaps.length }));
      for (const k of ["app1", "app2", "backend", "frontend"] as const) {
        expect(Math.abs(reported[k] - truth[k]) / truth[k], `${k}: agent ${reported[k]} vs HAProxy ${truth[k]}`).toBeLessThanOrEqual(0.1);
      }
      expect(truth.frontend).toBeGreaterThan(RPS * 0.8);
      // Keep-alive: one connection for all of it, so the connection rate the page read before says ~0.
      expect(after.connections - before.connections).toBe(0);
      expect(snaps.at(-1)!.haproxy!.frontends[0]!.rate).toBe(0);
    } finally {
      await load.stop();
    }
  }, 30_000);

  it("a reload resets HAProxy's counters: that interval's rates are null, never negative, then figures again", async () => {
    const load = keepAliveLoad(lb.url, RPS);
    try {
      await sleep(2500);
      const pidBefore = await lb.workerPid();
      const reloadedAt = performance.now();
      const pid = await lb.reload();
      expect(pid).not.toBe(pidBefore);
      const snaps = await waitFor(
        "two snapshots from the new worker",
        () => {
          const s = snapshotsSince(reloadedAt).filter((x) => x.haproxy?.workerPid === pid);
          return s.length >= 2 && s;
        },
        10_000,
      );
      const rates = snaps.flatMap((s) => [...s.haproxy!.servers.map((x) => x.requestRate), ...s.haproxy!.backends!.map((b) => b.requestRate)]);
      expect(rates.every((r) => r === null || (typeof r === "number" && r >= 0 && r < RPS * 2))).toBe(true);
      expect(snaps[0]!.haproxy!.backends![0]!.requestRate).toBeNull();
      expect(snaps[1]!.haproxy!.backends![0]!.requestRate).not.toBeNull();
    } finally {
      await load.stop();
    }
  }, 30_000);
});
