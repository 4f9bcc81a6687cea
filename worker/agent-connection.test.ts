// Protects: the worker's channel to an agent on https trusts only the
// certificate it was told to (CLUSTERDECK_AGENT_CA_FILE): with that CA it
// streams snapshots, without it the connection is refused as a failure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { AgentConnection, defaultConnectionOptions, type ConnectionEvent } from "@/worker/agent-connection";

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
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile],
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
