// Protects: the worker's channel to an agent on https trusts only the
// certificate it was told to (CLUSTERDECK_AGENT_CA_FILE): with that CA it
// streams snapshots, without it the connection is refused as a failure.
// And a stall of the worker itself (its event loop blocked longer than the
// heartbeat timeout) is not blamed on the agents, while a hung agent still is.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { AgentConnection, defaultConnectionOptions, type ConnectionEvent } from "@/worker/agent-connection";
import { freePorts, isListening } from "@/lab/ports";
import { waitFor } from "@/agent/testing/client";

let openssl = true;
try {
  execFileSync("openssl", ["version"], { stdio: "ignore" });
} catch {
  openssl = false;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function firstEvent(connection: (onEvent: (e: ConnectionEvent) => void) => AgentConnection): Promise<ConnectionEvent> {
  return new Promise((resolve) => {
    const c = connection((e) => {
      c.stop();
      resolve(e);
    });
    c.start();
  });
}

it.skipIf(!openssl)("streams from a TLS agent signed by the configured CA, and refuses one it cannot verify", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "worker-tls-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
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
  const app: AppServer = await startAppServer({ port: 0, name: "tls-app" });
  cleanups.push(() => app.close());
  const key = generateAgentSecret();
  const agent: RunningAgent = await startAgent(
    parseConfig({
      name: "tls-app",
      role: "app",
      listen: { port: 0 },
      tls: { certFile, keyFile },
      credentials: [key],
      intervalMs: 200,
      app: { healthUrl: `${app.url}/health`, statsUrl: `${app.url}/stats`, timeoutMs: 150 },
    }),
  );
  cleanups.push(() => agent.close());
  const endpoint = { agentUrl: agent.url, ...key };

  const trusted = await firstEvent((onEvent) => new AgentConnection(endpoint, onEvent, { ...defaultConnectionOptions, tls: { ca: readFileSync(certFile) } }));
  expect(trusted).toMatchObject({ kind: "snapshot", snapshot: { agent: { name: "tls-app" } } });

  const untrusted = await firstEvent((onEvent) => new AgentConnection(endpoint, onEvent, defaultConnectionOptions));
  expect(untrusted).toMatchObject({ kind: "failure" });
  expect((untrusted as { reason: string }).reason).toMatch(/self[- ]signed|certificate/i);
});

it("does not blame agents for the worker's own stall, but still sees a hung agent", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "worker-stall-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const [agentPort, deadPort] = (await freePorts(2)) as [number, number];
  const key = generateAgentSecret();
  const configFile = path.join(dir, "agent.json");
  // The agent runs in its own process so it keeps sending while this one is blocked.
  writeFileSync(
    configFile,
    JSON.stringify({
      name: "stall-app",
      role: "app",
      listen: { host: "127.0.0.1", port: agentPort },
      credentials: [key],
      intervalMs: 100,
      app: { healthUrl: `http://127.0.0.1:${deadPort}/health`, statsUrl: `http://127.0.0.1:${deadPort}/stats`, timeoutMs: 50 },
    }),
    { mode: 0o600 },
  );
  const child = spawn(process.execPath, ["bin/clusterdeck-agent.mjs", "--config", configFile], { stdio: "ignore" });
  cleanups.push(() => {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  });
  await waitFor("the agent", () => isListening(agentPort), 15_000, 25);

  const events: ConnectionEvent[] = [];
  const connection = new AgentConnection({ agentUrl: `http://127.0.0.1:${agentPort}`, ...key }, (e) => events.push(e), {
    ...defaultConnectionOptions,
    heartbeatTimeoutMs: 500,
  });
  cleanups.push(() => connection.stop());
  connection.start();
  await waitFor("a first snapshot", async () => events.some((e) => e.kind === "snapshot"), 10_000, 25);

  // Block this process three heartbeat timeouts long, as a GC pause or SIGSTOP would.
  const blockedUntil = Date.now() + 1500;
  while (Date.now() < blockedUntil);
  const afterStall = events.length;
  await new Promise((r) => setTimeout(r, 400));
  expect(events.filter((e) => e.kind === "failure")).toEqual([]);
  expect(events.length).toBeGreaterThan(afterStall);

  // The agent itself hanging is still a failure, found by the heartbeat.
  child.kill("SIGSTOP");
  const failure = await waitFor("a heartbeat failure", async () => events.find((e) => e.kind === "failure"), 5000, 25);
  expect(failure).toMatchObject({ reason: expect.stringMatching(/hung/) });
}, 30_000);
