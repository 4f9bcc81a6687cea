// The HAProxy lab fixture itself: its config, sticky sessions, hitless reload
// under traffic, clean stop, and helpful errors.
import { existsSync } from "node:fs";
import net from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig, startHaproxy, type HaproxyHandle } from "./haproxy";
import { startHttpBackend, type HttpBackendHandle } from "./http-backend";
import { isAlive } from "./process";

describe("renderHaproxyConfig", () => {
  const base = { dir: "/tmp/x", frontendPort: 8080 };

  it("writes the admin socket, checks, sticky cookie and servers", () => {
    const cfg = renderHaproxyConfig({
      ...base,
      stickyCookie: "SERVERID",
      checkIntervalMs: 250,
      backends: [
        {
          name: "app",
          servers: [
            { name: "a1", host: "127.0.0.1", port: 9001, weight: 5 },
            { name: "a2", host: "127.0.0.1", port: 9002, backup: true },
          ],
        },
        { name: "api", servers: [] },
      ],
    });
    expect(cfg).toContain("stats socket /tmp/x/admin.sock mode 600 level admin expose-fd listeners");
    expect(cfg).toContain("master-worker");
    expect(cfg).toContain("bind 127.0.0.1:8080");
    expect(cfg).toContain("default_backend app");
    expect(cfg).toContain("use_backend api if { req.hdr(x-lab-backend) -m str api }");
    expect(cfg).toContain("cookie SERVERID insert indirect nocache");
    expect(cfg).toContain("option httpchk GET /health");
    expect(cfg).toContain("default-server inter 250ms fall 3 rise 2");
    expect(cfg).toContain("server a1 127.0.0.1:9001 check weight 5 cookie a1");
    expect(cfg).toContain("server a2 127.0.0.1:9002 check backup cookie a2");
  });

  it("keeps HAProxy's default check interval when none is given", () => {
    const cfg = renderHaproxyConfig({ ...base, backends: [{ name: "app", servers: [] }] });
    expect(cfg).toContain("default-server fall 3 rise 2");
    expect(cfg).not.toContain("cookie");
  });

  it("refuses names that would inject config lines", () => {
    expect(() => renderHaproxyConfig({ ...base, backends: [{ name: "app\n  server evil 1.2.3.4:1", servers: [] }] })).toThrow(/bad backend name/);
    expect(() => renderHaproxyConfig({ ...base, backends: [{ name: "app", servers: [{ name: "a b", host: "h", port: 1 }] }] })).toThrow(/bad server name/);
    expect(() => renderHaproxyConfig({ ...base, backends: [{ name: "app", servers: [{ name: "a", host: "h x", port: 1 }] }] })).toThrow(/bad host/);
    expect(() => renderHaproxyConfig({ ...base, backends: [] })).toThrow(/at least one backend/);
  });
});

describe("startHaproxy", () => {
  it("says what to install when haproxy is missing", async () => {
    await expect(startHaproxy({ binary: "/nonexistent/haproxy", backends: [{ name: "app", servers: [] }] })).rejects.toThrow(/apt-get install haproxy/);
  });

  it("fails with HAProxy's words when the frontend port is taken", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startHaproxy({ frontendPort: port, backends: [{ name: "app", servers: [] }] })).rejects.toThrow(/cannot bind socket/);
    } finally {
      blocker.close();
    }
  });

  describe("running", () => {
    let a1: HttpBackendHandle;
    let a2: HttpBackendHandle;
    let lb: HaproxyHandle;

    beforeAll(async () => {
      a1 = await startHttpBackend({ name: "a1" });
      a2 = await startHttpBackend({ name: "a2" });
      lb = await startHaproxy({
        backends: [
          {
            name: "app",
            servers: [
              { name: "a1", host: "127.0.0.1", port: a1.port },
              { name: "a2", host: "127.0.0.1", port: a2.port },
            ],
          },
        ],
        stickyCookie: "SERVERID",
        checkIntervalMs: 200,
      });
    });

    afterAll(async () => {
      await lb?.stop();
      await a1?.stop();
      await a2?.stop();
    });

    it("keeps a client with its cookie on one server", async () => {
      const first = await fetch(lb.url);
      const cookie = first.headers.get("set-cookie") ?? "";
      const served = ((await first.json()) as { server: string }).server;
      expect(cookie).toMatch(new RegExp(`^SERVERID=${served};`));
      for (let i = 0; i < 6; i++) {
        const res = await fetch(lb.url, { headers: { cookie: `SERVERID=${served}` } });
        expect(((await res.json()) as { server: string }).server).toBe(served);
      }
    });

    it("keeps clients away from the app servers' admin endpoints", async () => {
      const res = await fetch(`${lb.url}/admin/drain`, { method: "POST" });
      expect(res.status).toBe(403);
      expect((await fetch(lb.url)).status).toBe(200);
    });

    it("reloads without failing a single request", async () => {
      let ok = 0;
      const failures: string[] = [];
      let running = true;
      const client = async () => {
        while (running) {
          try {
            const res = await fetch(lb.url, { headers: { connection: "close" } });
            await res.arrayBuffer();
            if (res.status === 200) ok++;
            else failures.push(`HTTP ${res.status}`);
          } catch (error) {
            failures.push(String((error as Error).cause ?? error));
          }
        }
      };
      const clients = [client(), client(), client(), client()];
      const pids = new Set([await lb.workerPid()]);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 150));
        pids.add(await lb.reload());
      }
      await new Promise((r) => setTimeout(r, 150));
      running = false;
      await Promise.all(clients);
      expect(pids.size).toBe(4);
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(20);
    });

    it("stop() ends the master and removes the folder it made", async () => {
      await lb.stop();
      expect(isAlive(lb.pid)).toBe(false);
      expect(existsSync(lb.dir)).toBe(false);
    });
  });
});
