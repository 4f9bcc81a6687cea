import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { ConfigError, loadConfig, parseConfig } from "./config";

const cred = generateAgentSecret();
const app = { healthUrl: "http://127.0.0.1:9001/health", statsUrl: "http://127.0.0.1:9001/stats" };
const base = { name: "app-1", role: "app", listen: { port: 9101 }, credentials: [cred], app };

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("config was accepted");
}

describe("agent config", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("applies the defaults", () => {
    const c = parseConfig(base);
    // /metrics is closed unless a token is set or the owner opens it.
    expect(c.metricsToken).toBeUndefined();
    expect(c.openMetrics).toBe(false);
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 9101 });
    expect(c.intervalMs).toBe(1000);
    expect(c.app).toEqual({ ...app, backends: [], timeoutMs: 800 });
    expect(c.tls).toBeUndefined();
    expect(parseConfig({ ...base, intervalMs: 60_000 }).app!.timeoutMs).toBe(5000);
  });

  it("accepts back-ends by URL or host:port, two credentials, TLS and a metrics token", () => {
    const c = parseConfig({
      ...base,
      credentials: [cred, generateAgentSecret()],
      tls: { certFile: "/etc/agent/cert.pem", keyFile: "/etc/agent/key.pem" },
      metricsToken: "0123456789abcdef0123",
      app: {
        ...app,
        backends: [
          { name: "db", tcp: "db.internal:5432" },
          { name: "v6", tcp: "[::1]:5432" },
          { name: "api", url: "https://api.internal/health" },
        ],
        timeoutMs: 500,
      },
    });
    expect(c.app!.backends).toHaveLength(3);
    expect(c.credentials).toHaveLength(2);
  });

  it("passes the haproxy and postgres sections through for their drivers to validate", () => {
    const c = parseConfig({
      name: "lb-1",
      role: "haproxy",
      listen: { port: 1 },
      credentials: [cred],
      haproxy: { socket: "/run/haproxy.sock", anything: [1, 2] },
    });
    expect(c.haproxy).toEqual({ socket: "/run/haproxy.sock", anything: [1, 2] });
  });

  it("names every bad field", () => {
    expect(errorOf({ ...base, listen: { port: 99999, prot: 1 } })).toMatch(/listen\.prot: unknown field/);
    expect(errorOf({ ...base, listen: { port: 99999 } })).toMatch(/listen\.port: /);
    expect(errorOf({ ...base, color: "blue" })).toMatch(/^ {2}color: unknown field$/m);
    expect(errorOf({ ...base, role: "nginx" })).toMatch(/role: /);
    expect(errorOf({ ...base, intervalMs: 50 })).toMatch(/intervalMs: /);
    expect(errorOf({ ...base, credentials: [] })).toMatch(/credentials: needs at least one credential/);
    expect(errorOf({ ...base, credentials: [cred, generateAgentSecret(), generateAgentSecret()] })).toMatch(/credentials: at most two/);
    expect(errorOf({ ...base, credentials: [cred, cred] })).toMatch(/credentials\.1\.keyId: duplicates/);
    expect(errorOf({ ...base, credentials: [{ keyId: "ak_x1", secret: "hunter2" }] })).toMatch(/credentials\.0\.secret: must be at least 43/);
    expect(errorOf({ ...base, credentials: [{ keyId: "no spaces!", secret: cred.secret }] })).toMatch(/credentials\.0\.keyId: must be/);
    expect(errorOf({ ...base, app: { ...app, healthUrl: "ftp://x/y" } })).toMatch(/app\.healthUrl: must be an http/);
    expect(errorOf({ ...base, app: { ...app, backends: [{ name: "db", tcp: "db.internal" }] } })).toBe(
      'config is invalid:\n  app.backends.0.tcp: must be "host:port" (IPv6 as "[::1]:5432")',
    );
    expect(errorOf({ ...base, app: { ...app, backends: [{ name: "db", tcp: "db:70000" }] } })).toMatch(/app\.backends\.0\.tcp: port must be 1-65535/);
    expect(errorOf({ ...base, app: { ...app, backends: [{ name: "db" }] } })).toMatch(
      /app\.backends\.0: must be \{ "name", "url" \} or \{ "name", "tcp": "host:port" \}/,
    );
    expect(errorOf({ ...base, app: { ...app, timeoutMs: 1000 } })).toMatch(/app\.timeoutMs: must be below intervalMs/);
    expect(errorOf({ ...base, app: undefined })).toMatch(/app: is required when role is "app"/);
    expect(errorOf({ ...base, postgres: {} })).toMatch(/postgres: does not belong in a "app" agent's config/);
    expect(errorOf({ ...base, metricsToken: "short" })).toMatch(/metricsToken: /);
    expect(errorOf({ ...base, metricsToken: "0123456789abcdef0123", openMetrics: true })).toMatch(
      /openMetrics: choose one: metricsToken .* or openMetrics: true/,
    );
    expect(errorOf({ ...base, openMetrics: "yes" })).toMatch(/openMetrics: /);
  });

  it("never puts a secret in its errors", () => {
    const message = errorOf({ ...base, credentials: [{ ...cred, extra: 1 }], intervalMs: 5 });
    expect(message).not.toContain(cred.secret);
  });

  it("loads a file, and says what is wrong with it", async () => {
    const file = path.join(dir, "agent.json");
    writeFileSync(file, JSON.stringify(base));
    chmodSync(file, 0o600);
    expect(await loadConfig(file)).toMatchObject({ config: { name: "app-1" }, warnings: [] });
    chmodSync(file, 0o644);
    expect((await loadConfig(file)).warnings[0]).toMatch(/readable by group or others \(mode 644\); chmod 600 it/);
    writeFileSync(file, "{ name: ");
    await expect(loadConfig(file)).rejects.toThrow(`config ${file} is not valid JSON`);
    await expect(loadConfig(path.join(dir, "missing.json"))).rejects.toThrow(/cannot read config .*missing\.json: ENOENT/);
    writeFileSync(file, JSON.stringify({ ...base, name: "" }));
    await expect(loadConfig(file)).rejects.toThrow(`config ${file} is invalid:\n  name: `);
  });
});
