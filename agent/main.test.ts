// The daemon as operators run it: bin/clusterdeck-agent.mjs in its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { signed, waitFor } from "./testing/client";

const bin = path.resolve("bin/clusterdeck-agent.mjs");

type Run = { child: ChildProcess; stderr: () => string; stdout: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function run(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, stdout: () => out, exit };
}

describe("clusterdeck-agent (bin)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-main-"));
  const file = path.join(dir, "agent.json");
  const oldKey = generateAgentSecret();
  const newKey = generateAgentSecret();
  let app: AppServer;
  const running: Run[] = [];

  const write = (config: object) => writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  const configWith = (credentials: object[]) => ({
    name: "app-9",
    role: "app",
    listen: { port: 0 },
    intervalMs: 200,
    credentials,
    app: { healthUrl: `${app.url}/health`, statsUrl: `${app.url}/stats` },
  });

  beforeAll(async () => {
    app = await startAppServer({ port: 0, name: "app-9" });
  });
  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an invalid config with exit code 2, naming the field", async () => {
    write({ ...configWith([oldKey]), intervalMs: 5, colour: "red" });
    const r = run(["--config", file]);
    running.push(r);
    expect((await r.exit).code).toBe(2);
    expect(r.stderr()).toContain(`clusterdeck-agent: config ${file} is invalid:`);
    expect(r.stderr()).toMatch(/colour: unknown field/);
    expect(r.stderr()).toMatch(/intervalMs: /);
    expect(r.stderr()).not.toContain(oldKey.secret);
    const noArgs = run([]);
    running.push(noArgs);
    expect((await noArgs.exit).code).toBe(2);
    expect(noArgs.stderr()).toMatch(/--config is required/);
  });

  it("checks a config with --check", async () => {
    write(configWith([oldKey]));
    const r = run(["--config", file, "--check"]);
    running.push(r);
    expect((await r.exit).code).toBe(0);
    expect(r.stdout()).toContain("is valid (role app, name app-9); /metrics closed (set metricsToken to scrape it)");
  });

  it("serves, rotates credentials on SIGHUP without restarting, and exits 0 on SIGTERM", async () => {
    write(configWith([oldKey]));
    const r = run(["--config", file]);
    running.push(r);
    const started = await waitFor("the agent to start", () => /"msg":"agent started".*"url":"(http:\/\/[^"]+)"/.exec(r.stderr())?.[1], 20_000);
    expect((await signed(started, oldKey, "GET", "/v1/status")).status).toBe(200);

    // Rotation: old and new together, then the new one alone.
    write(configWith([oldKey, newKey]));
    r.child.kill("SIGHUP");
    await waitFor("the reload", async () => (await signed(started, newKey, "GET", "/v1/status")).status === 200, 5000);
    expect((await signed(started, oldKey, "GET", "/v1/status")).status).toBe(200);
    write(configWith([newKey]));
    r.child.kill("SIGHUP");
    await waitFor("the old key to be dropped", async () => (await signed(started, oldKey, "GET", "/v1/status")).status === 401, 5000);
    expect(JSON.parse((await signed(started, oldKey, "GET", "/v1/status")).body)).toMatchObject({ reason: "unknown-key" });
    expect((await signed(started, newKey, "GET", "/v1/status")).status).toBe(200);
    expect(r.stderr()).toContain('"msg":"credentials reloaded"');
    expect(r.stderr()).not.toContain(newKey.secret);

    r.child.kill("SIGTERM");
    expect(await r.exit).toEqual({ code: 0, signal: null });
    expect(r.stderr()).toContain('"msg":"stopping","signal":"SIGTERM"');
  });
});
