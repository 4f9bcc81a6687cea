// Protects (issue 11, §5): the console's connections to admin-typed addresses.
//   - An agent URL or probe address whose NAME resolves to a link-local or
//     metadata address is refused at connect time (DNS is stood in for with
//     vi.spyOn(dns, "lookup"); nothing touches /etc/hosts), also when it
//     re-resolves there after having worked, by every path the console
//     connects through: callAgent, the monitor's stream, the prober.
//   - With the admin setting on, the same name is reached: a real agent
//     listening on this machine's own IPv6 link-local address answers.
//   - Something that is not an agent, answering at an agent URL, never gets its
//     body into an error, a health reason or what a viewer reads (the running
//     configuration): only a status line. A real agent's signed refusal still
//     says what it says.
import dns from "node:dns";
import http from "node:http";
import os from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { snapshot as snapshotSchema, AGENT_PATHS } from "@/lib/agent-protocol/types";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";
import { freePorts } from "@/lab/ports";
import { AgentConnection, defaultConnectionOptions, type ConnectionEvent } from "@/worker/agent-connection";
import { tcpProbe } from "@/worker/prober";
import type { AgentCallError as AgentCallErrorType } from "@/lib/agents/client";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "destinations-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

/** This machine's own IPv6 link-local address with its zone, when it has one: a real link-local destination that stays on the machine. */
function ownLinkLocal(): string | null {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    const a = addresses?.find((x) => x.family === "IPv6" && !x.internal && x.address.toLowerCase().startsWith("fe80:"));
    if (a) return `${a.address}%${name}`;
  }
  return null;
}
const linkLocal = ownLinkLocal();

/** Names this test resolves itself; anything else goes to the real resolver. */
const fakeDns = new Map<string, dns.LookupAddress>();
const realLookup = dns.lookup;
function standInForDns() {
  vi.spyOn(dns, "lookup").mockImplementation(((host: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const found = fakeDns.get(host);
    if (!found) return (realLookup as (...args: unknown[]) => void)(host, options, callback);
    setImmediate(() => (options?.all ? callback(null, [found]) : callback(null, found.address, found.family)));
  }) as never);
}
afterEach(() => vi.restoreAllMocks());

const SECRET = "METADATA-SECRET-AKIA0123456789";

/** Answers every request as a non-agent would: status, content type and a body holding a secret, by path. */
function foreignService(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const url = req.url ?? "";
    if (url.startsWith("/v1/stream")) return void res.writeHead(403, { "content-type": "text/plain" }).end(`${SECRET}\n`);
    if (url.startsWith("/v1/config")) {
      // JSON shaped like an agent's refusal, with a signature header that is not one.
      return void res
        .writeHead(409, { "content-type": "application/json", "x-clusterdeck-answer": "A".repeat(43) })
        .end(JSON.stringify({ error: SECRET, message: SECRET }));
    }
    if (url.startsWith("/v1/actions"))
      return void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized", reason: SECRET }));
    res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: SECRET, error: SECRET, detail: SECRET }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

function firstFailure(connection: (onEvent: (e: ConnectionEvent) => void) => AgentConnection): Promise<ConnectionEvent> {
  return new Promise((resolve) => {
    const c = connection((e) => {
      c.stop();
      resolve(e);
    });
    c.start();
  });
}

let app: AppServer;
let clusterId = "";

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "destinations-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { createCluster } = await import("@/lib/inventory/clusters");
  clusterId = (await createCluster({ name: "destinations", description: "", environment: "production" }, audit)).id;
  app = await startAppServer({ port: 0, name: "dest-app" });
  cleanups.push(() => app.close());
}, 60_000);

let nodePort = 20_000;
/** A node with an agent URL, its credential, and a real agent at `listen` (when given). */
async function enrolled(name: string, agentUrl: string, listen?: { host: string; port: number }) {
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential, agentEndpointFor } = await import("@/lib/agents/service");
  // Only the agent is spoken to here; the node's own address just has to be unique.
  const node = await createNode({ clusterId, name, host: "127.0.0.1", port: nodePort++, weight: 100, capacity: 100, agentUrl }, audit);
  const { config } = await issueAgentCredential("NODE", node.id, audit);
  let agent: RunningAgent | null = null;
  if (listen) {
    const input = {
      ...config,
      listen,
      intervalMs: 200,
      app: { healthUrl: `${app.url}/health`, statsUrl: `${app.url}/stats`, timeoutMs: 150 },
    } as AgentConfigInput;
    agent = await startAgent(parseConfig(input), { log: () => {} });
    cleanups.push(() => agent!.close());
  }
  return { id: node.id, agent, endpoint: (await agentEndpointFor("NODE", node.id))! };
}

async function callStatus(endpoint: { agentUrl: string; keyId: string; secret: string }) {
  const { callAgent } = await import("@/lib/agents/client");
  return callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 3000);
}
async function callError(fn: () => Promise<unknown>): Promise<AgentCallErrorType> {
  const error = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  const { AgentCallError } = await import("@/lib/agents/client");
  expect(error).toBeInstanceOf(AgentCallError);
  return error as AgentCallErrorType;
}
async function allowLinkLocal(allowed: boolean) {
  const { setLinkLocalDestinations } = await import("@/lib/net/destination-policy");
  await setLinkLocalDestinations(allowed, `test: ${allowed ? "allow" : "refuse"}`, audit);
}

describe("a name that resolves to a link-local address", () => {
  it("is refused at connect time by callAgent, the stream and the prober, also after first resolving elsewhere", async () => {
    standInForDns();
    const [port] = await freePorts(1);
    const host = "agent-1.clusterdeck.test";
    fakeDns.set(host, { address: "127.0.0.1", family: 4 });
    const node = await enrolled("dest-1", `http://${host}:${port}`, { host: "127.0.0.1", port: port! });
    // Resolving to loopback, it is the agent and it answers.
    expect((await callStatus(node.endpoint)).agent.name).toBe("dest-1");

    // The same name now resolves to the metadata address: refused before anything is sent.
    fakeDns.set(host, { address: "169.254.169.254", family: 4 });
    const started = Date.now();
    const refused = await callError(() => callStatus(node.endpoint));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused.status).toBe(0);
    expect(refused.notSent).toBe(true);
    expect(refused.message).toMatch(
      /refused to connect to agent-1\.clusterdeck\.test, which resolves to 169\.254\.169\.254, a link-local address .* in 169\.254\.0\.0\/16; an admin can allow link-local destinations in Settings/,
    );

    // An IPv6 spelling of it is no way round.
    fakeDns.set(host, { address: "::ffff:a9fe:a9fe", family: 6 });
    expect((await callError(() => callStatus(node.endpoint))).message).toMatch(/resolves to ::ffff:a9fe:a9fe \(carrying 169\.254\.169\.254\)/);

    // The monitor's channel, at its next (re)connect.
    const event = await firstFailure((onEvent) => new AgentConnection(node.endpoint, onEvent, defaultConnectionOptions));
    expect(event).toMatchObject({
      kind: "failure",
      reason: expect.stringMatching(/^refused to connect to agent-1\.clusterdeck\.test, which resolves to ::ffff:a9fe:a9fe/),
    });

    // The prober: a name, and literals (which Node would connect to without any lookup).
    expect(await tcpProbe(host, port!, 500)).toEqual({ ok: false, reason: expect.stringMatching(/^refused to connect to agent-1\.clusterdeck\.test/) });
    expect(await tcpProbe("169.254.169.254", 80, 500)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^refused to connect to 169\.254\.169\.254, which is a link-local address/),
    });
    expect(await tcpProbe("fd00:ec2::254", 80, 500)).toEqual({ ok: false, reason: expect.stringMatching(/AWS's IPv6 metadata service/) });
    fakeDns.set(host, { address: "127.0.0.1", family: 4 });
    expect(await tcpProbe(host, port!, 500)).toMatchObject({ ok: true });
  });

  it.skipIf(!linkLocal)("is reached once an admin allows link-local destinations (a real agent on this machine's fe80:: address)", async () => {
    standInForDns();
    const [port] = await freePorts(1);
    const host = "agent-ll.clusterdeck.test";
    fakeDns.set(host, { address: linkLocal!, family: 6 });
    const node = await enrolled("dest-ll", `http://${host}:${port}`, { host: linkLocal!, port: port! });

    const refused = await callError(() => callStatus(node.endpoint));
    expect(refused.message).toMatch(/which resolves to fe80:.* an IPv6 link-local address in fe80::\/10/);
    expect((await firstFailure((onEvent) => new AgentConnection(node.endpoint, onEvent, defaultConnectionOptions))) as { reason: string }).toMatchObject({
      reason: expect.stringMatching(/an IPv6 link-local address/),
    });

    await allowLinkLocal(true);
    try {
      expect((await callStatus(node.endpoint)).agent.name).toBe("dest-ll");
      const { currentDestinationPolicy, destinationPolicy } = await import("@/lib/net/destination-policy");
      await destinationPolicy();
      const event = await firstFailure(
        (onEvent) => new AgentConnection(node.endpoint, onEvent, { ...defaultConnectionOptions, destinations: currentDestinationPolicy }),
      );
      expect(event.kind).toBe("snapshot");
      expect(await tcpProbe(host, port!, 500, { allowLinkLocal: true })).toMatchObject({ ok: true });
      // The change is audited with its reason, in the setting's transaction.
      const { db } = await import("@/lib/db");
      expect(await db.auditEntry.findFirst({ where: { action: "settings.link-local-destinations" }, orderBy: { at: "desc" } })).toMatchObject({
        reason: "test: allow",
        summary: { from: false, to: true },
      });
    } finally {
      await allowLinkLocal(false);
    }
    expect((await callError(() => callStatus(node.endpoint))).message).toMatch(/refused to connect/);
  });

  it.skipIf(!linkLocal)("drops an open channel when the setting is withdrawn: the monitor reconnects and meets the guard", async () => {
    standInForDns();
    const [port] = await freePorts(1);
    const host = "agent-withdrawn.clusterdeck.test";
    fakeDns.set(host, { address: linkLocal!, family: 6 });
    const node = await enrolled("dest-withdrawn", `http://${host}:${port}`, { host: linkLocal!, port: port! });
    const { loadAgentTargets } = await import("@/lib/agents/service");
    const { Monitor } = await import("@/worker/monitor");
    const { Recorder } = await import("@/worker/recorder");
    const { db } = await import("@/lib/db");
    const recorder = new Recorder(db);
    recorder.start();
    let policy = { allowLinkLocal: true };
    const monitor = new Monitor(recorder, {
      refreshMs: 200,
      thresholds: { rise: 1, fall: 1 },
      connection: { heartbeatTimeoutMs: 1000, maxBackoffMs: 300, maxLineBytes: 1 << 20 },
      loadTargets: async () => (await loadAgentTargets()).filter((t) => t.id === node.id),
      destinationPolicy: async () => policy,
    });
    cleanups.push(async () => {
      monitor.stop();
      await recorder.stop();
    });
    await monitor.start();
    const key = `NODE:${node.id}`;
    await waitFor("UP while allowed", () => monitor.healthOf(key) === "UP", 10_000);
    const failuresBefore = monitor.counts.failures;
    // The stream is open and healthy; withdrawing the permission must not leave it so.
    policy = { allowLinkLocal: false };
    await waitFor("DOWN once withdrawn", () => monitor.healthOf(key) === "DOWN", 10_000);
    expect(monitor.counts.failures).toBeGreaterThan(failuresBefore);
    const { db: database } = await import("@/lib/db");
    const event = await waitFor(
      "the DOWN event",
      () => database.event.findFirst({ where: { subjectId: node.id, kind: "health.down" }, orderBy: { id: "desc" } }),
      10_000,
    );
    expect(event.message).toMatch(
      /dest-withdrawn is down: agent at http:\/\/agent-withdrawn\.clusterdeck\.test:\d+: refused to connect to agent-withdrawn\.clusterdeck\.test, which resolves to fe80:/,
    );
  });

  it("counts as refused nowhere when allowed: the guard steps aside and the network decides", async () => {
    standInForDns();
    const host = "agent-meta.clusterdeck.test";
    fakeDns.set(host, { address: "169.254.169.254", family: 4 });
    const node = await enrolled("dest-meta", `http://${host}:7070`);
    await allowLinkLocal(true);
    try {
      const error = await callError(async () => {
        const { callAgent } = await import("@/lib/agents/client");
        return callAgent(node.endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 300);
      });
      expect(error.message).not.toMatch(/refused to connect/);
    } finally {
      await allowLinkLocal(false);
    }
  });

  it("a literal one in an agent URL or host is refused at input time, naming the field, unless allowed", async () => {
    const { createNode, deleteNode } = await import("@/lib/inventory/nodes");
    const { DomainError } = await import("@/lib/common/errors");
    for (const [field, input] of [
      ["agentUrl", { agentUrl: "http://169.254.169.254:7070" }],
      ["agentUrl", { agentUrl: "http://[::ffff:a9fe:a9fe]:7070" }],
      ["agentUrl", { agentUrl: "http://2852039166:7070" }],
      ["agentUrl", { agentUrl: "http://[fe80::1]:7070" }],
      ["host", { host: "100.100.100.200" }],
      ["host", { host: "fe80::1%eth0" }],
    ] as const) {
      const error = await createNode(
        { clusterId, name: `lit-${field}`, host: "127.0.0.1", port: 8080, weight: 1, capacity: 1, agentUrl: null, ...input },
        audit,
      ).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(DomainError);
      expect((error as InstanceType<typeof DomainError>).code).toBe("invalid");
      expect((error as InstanceType<typeof DomainError>).details.errors).toEqual([
        { path: `body.${field}`, message: expect.stringMatching(/the console does not connect there unless an admin allows link-local destinations/) },
      ]);
    }
    await allowLinkLocal(true);
    try {
      const node = await createNode(
        { clusterId, name: "lit-allowed", host: "127.0.0.1", port: 8080, weight: 1, capacity: 1, agentUrl: "http://169.254.169.254:7070" },
        audit,
      );
      expect(node.agentUrl).toBe("http://169.254.169.254:7070");
      await deleteNode(node.id, audit);
    } finally {
      await allowLinkLocal(false);
    }
  });
});

describe("something that is not an agent, at an agent URL", () => {
  it("gets a status line into errors, health reasons and a viewer's running configuration, never its body", async () => {
    const foreign = await foreignService();
    cleanups.push(() => foreign.close());
    const node = await enrolled("dest-foreign", `http://127.0.0.1:${foreign.port}`);
    const { callAgent } = await import("@/lib/agents/client");
    const { configCurrentAnswer } = await import("@/lib/agent-protocol/types");

    const status = await callError(() => callStatus(node.endpoint));
    expect(status.message).toBe(`agent at http://127.0.0.1:${foreign.port} answered 500 Internal Server Error (not a signed agent answer)`);
    expect(status.body).toBeNull();
    // A forged signature header is not a signature.
    const config = await callError(() => callAgent(node.endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, 3000));
    expect(config.message).toBe(`agent at http://127.0.0.1:${foreign.port} answered 409 Conflict (not a signed agent answer)`);
    expect(config.body).toBeNull();
    // A 401's reason is repeated only when it is one of the agent's own words.
    const action = await callError(() => callAgent(node.endpoint, "POST", AGENT_PATHS.actions, { action: "app.drain" }, configCurrentAnswer, 3000));
    expect(action.message).toBe(`agent at http://127.0.0.1:${foreign.port} answered 401 Unauthorized (not a signed agent answer)`);

    const event = await firstFailure((onEvent) => new AgentConnection(node.endpoint, onEvent, defaultConnectionOptions));
    expect(event).toEqual({ kind: "failure", reason: "agent answered 403 Forbidden (not a signed agent answer)", at: expect.any(Number) });

    // What a viewer reads (config:read, secrets masked).
    const { runningConfig } = await import("@/lib/config/targets");
    const running = await runningConfig("NODE", node.id, false);
    expect(running.running.error).toBe(`agent at http://127.0.0.1:${foreign.port} answered 409 Conflict (not a signed agent answer)`);
    for (const said of [status.message, config.message, action.message, JSON.stringify(event), JSON.stringify(running)]) expect(said).not.toContain(SECRET);
  });

  it("still repeats what a real agent says when it refuses, because the agent signed it", async () => {
    const [port] = await freePorts(1);
    const node = await enrolled("dest-real", `http://127.0.0.1:${port}`, { host: "127.0.0.1", port: port! });
    const { callAgent } = await import("@/lib/agents/client");
    const { configCurrentAnswer } = await import("@/lib/agent-protocol/types");
    // This agent manages no configuration: its signed 409 says so.
    const notManaged = await callError(() => callAgent(node.endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, 3000));
    expect(notManaged.message).toBe(`agent at http://127.0.0.1:${port} answered 409 Conflict: this app agent is not configured to manage a configuration`);
    expect(notManaged.body).toMatchObject({ error: "config-not-managed" });
    // A key it does not know: it cannot sign, and its reason is one word of its fixed list.
    const stranger = { ...node.endpoint, ...generateAgentSecret() };
    expect((await callError(() => callStatus(stranger))).message).toBe(`agent at http://127.0.0.1:${port} answered 401 Unauthorized (unknown-key)`);
    const event = await firstFailure((onEvent) => new AgentConnection(stranger, onEvent, defaultConnectionOptions));
    expect(event).toMatchObject({ kind: "failure", reason: "agent answered 401 Unauthorized (unknown-key)" });
  });
});
