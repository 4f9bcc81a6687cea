// Protects: the front server `clusterdeck start` runs before Next
// (bin/front-server.mjs), with a stand-in for Next's request handler.
// - The client address rule: with no trusted proxy a client's own
//   X-Forwarded-For (and -Host, -Proto, Forwarded, X-Real-IP) is replaced by
//   the socket; behind CLUSTERDECK_TRUST_PROXY=1 or 2 real chained proxies
//   that append as nginx does, lib/auth/client-ip.ts finds the client, and
//   nothing the client wrote moves it. A value that is not a hop count stops
//   `clusterdeck start`.
// - Odd requests never reach the handler and are answered as problem+json:
//   TRACE, TRACK, CONNECT, OPTIONS *, absolute- and authority-form targets,
//   broken percent-encodings, garbage, oversized headers, unknown Expect.
// - What must keep working: Upgrade headers served as plain requests,
//   keep-alive, a handler's failure as a problem, and a shutdown that lets a
//   request finish but does not wait for a live stream.
import { spawn } from "node:child_process";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFrontServer } from "@/bin/front-server.mjs";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { env, resetEnvCache } from "@/lib/env";
import { rawExchange, statusCodes } from "@/lib/testing/fuzz";
import { repoRoot } from "./paths";

type Seen = { headers: http.IncomingHttpHeaders; clientIp: string | null; remotePort: number | undefined };

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  vi.unstubAllEnvs();
  resetEnvCache();
});

function listen(server: http.Server, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** The front server with CLUSTERDECK_TRUST_PROXY=hops, around a handler that reports what it was given. */
async function startFront(hops: string, handle?: (req: http.IncomingMessage, res: http.ServerResponse) => unknown) {
  vi.stubEnv("CLUSTERDECK_TRUST_PROXY", hops);
  resetEnvCache();
  const seen: Seen[] = [];
  const front = createFrontServer({
    trustProxyHops: env().CLUSTERDECK_TRUST_PROXY,
    log: () => {},
    handle:
      handle ??
      ((req, res) => {
        seen.push({ headers: { ...req.headers }, clientIp: clientIpFrom(req.headers), remotePort: req.socket.remotePort });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true }));
      }),
  });
  const port = await listen(front.server);
  closers.push(async () => {
    front.server.closeAllConnections();
    await front.close();
  });
  return { port, seen, front };
}

/** A reverse proxy that appends the address it was reached from to X-Forwarded-For and sets Host/Proto, as nginx's usual settings do. */
async function startProxy(target: number, from: string, sets: { host: string; proto: string }) {
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress!;
    const xff = req.headers["x-forwarded-for"];
    const headers = { ...req.headers, "x-forwarded-for": xff ? `${xff}, ${peer}` : peer, "x-forwarded-host": sets.host, "x-forwarded-proto": sets.proto };
    const upstream = http.request({ host: "127.0.0.1", port: target, localAddress: from, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  const port = await listen(server);
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return port;
}

function get(
  port: number,
  opts: { path?: string; headers?: Record<string, string>; from?: string; agent?: http.Agent } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: opts.path ?? "/api/v1/health", headers: opts.headers, localAddress: opts.from, agent: opts.agent ?? false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const FORGED = {
  "x-forwarded-for": "203.0.113.9, 198.51.100.7",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  "x-forwarded-port": "443",
  forwarded: "for=203.0.113.9;proto=https",
  "x-real-ip": "203.0.113.9",
};

describe("the client address", () => {
  it("without a trusted proxy is the socket's, whatever forwarding headers the client sends", async () => {
    const { port, seen } = await startFront("");
    await get(port, { from: "127.0.0.5", headers: { ...FORGED, host: "console.example:8443" } });
    expect(seen[0]!.clientIp).toBe("127.0.0.5");
    expect(seen[0]!.headers).toMatchObject({ "x-forwarded-for": "127.0.0.5", "x-forwarded-proto": "http", "x-forwarded-host": "console.example:8443" });
    for (const name of ["forwarded", "x-real-ip", "x-forwarded-port"]) expect(seen[0]!.headers[name]).toBeUndefined();
  });

  it("behind CLUSTERDECK_TRUST_PROXY=1 is what that proxy appended; the client's own entries and hosts are ignored", async () => {
    const { port, seen } = await startFront("1");
    const proxy = await startProxy(port, "127.0.0.6", { host: "console.example", proto: "https" });
    await get(proxy, { from: "127.0.0.5", headers: FORGED });
    expect(seen[0]!.headers["x-forwarded-for"]).toBe("203.0.113.9, 198.51.100.7, 127.0.0.5, 127.0.0.6");
    expect(seen[0]!.clientIp).toBe("127.0.0.5");
    expect(seen[0]!.headers).toMatchObject({ "x-forwarded-host": "console.example", "x-forwarded-proto": "https" });
    // Trusting a hop means taking the socket for the proxy: a client that can reach the
    // console around it names its own address. Hence the README: reachable only through them.
    await get(port, { from: "127.0.0.9", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(seen[1]!.clientIp).toBe("203.0.113.9");
  });

  it("behind CLUSTERDECK_TRUST_PROXY=2 (a load balancer and a reverse proxy) is the address two hops from the right", async () => {
    const { port, seen } = await startFront("2");
    const inner = await startProxy(port, "127.0.0.7", { host: "inner.local", proto: "http" });
    const outer = await startProxy(inner, "127.0.0.6", { host: "console.example", proto: "https" });
    await get(outer, { from: "127.0.0.5", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(seen[0]!.headers["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.5, 127.0.0.6, 127.0.0.7");
    expect(seen[0]!.clientIp).toBe("127.0.0.5");
    // Each proxy here overwrites Host/Proto; the value the outermost trusted proxy gave wins when they append.
    expect(seen[0]!.headers).toMatchObject({ "x-forwarded-host": "inner.local", "x-forwarded-proto": "http" });
    await get(port, {
      from: "127.0.0.7",
      headers: { "x-forwarded-host": "forged.example, console.example, inner.local", "x-forwarded-proto": "http, https, http" },
    });
    expect(seen[1]!.headers).toMatchObject({ "x-forwarded-host": "console.example", "x-forwarded-proto": "https" });
  });

  it("is refused at start when CLUSTERDECK_TRUST_PROXY is not a hop count", async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, "bin", "clusterdeck.mjs"), "start", "--no-build", "--port", "1"], {
        env: { ...process.env, CLUSTERDECK_TRUST_PROXY: "true", DATABASE_URL: "" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CLUSTERDECK_TRUST_PROXY: must be the number of proxies in front of the console: 0 for none .*not "true"/);
  });
});

describe("odd requests", () => {
  const host = "Host: 127.0.0.1\r\n";
  const cases: Array<{ name: string; request: string; status: number }> = [
    { name: "TRACE", request: `TRACE /api/v1/health HTTP/1.1\r\n${host}\r\n`, status: 405 },
    { name: "TRACK", request: `TRACK / HTTP/1.1\r\n${host}\r\n`, status: 405 },
    { name: "CONNECT", request: `CONNECT 127.0.0.1:443 HTTP/1.1\r\n${host}\r\n`, status: 405 },
    { name: "OPTIONS *", request: `OPTIONS * HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "GET *", request: `GET * HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "absolute-form", request: `GET http://evil.example/api/v1/health HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "absolute-form naming this host", request: `GET http://127.0.0.1/ HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "authority-form on GET", request: `GET evil.example:443 HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "surrogate in the path", request: `GET /api/auth/%ED%A0%80 HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "broken escape in the path", request: `GET /nodes/%E0%A4%A HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { name: "unknown method", request: `BREW /pot HTTP/1.1\r\n${host}\r\n`, status: 405 },
    { name: "garbage", request: "\u0001\u0002garbage\r\n\r\n", status: 400 },
    { name: "HTTP/9.9", request: `GET / HTTP/9.9\r\n${host}\r\n`, status: 400 },
    { name: "headers too large", request: `GET / HTTP/1.1\r\n${host}X-Big: ${"b".repeat(20_000)}\r\n\r\n`, status: 431 },
    { name: "unknown Expect", request: `POST /api/v1/clusters HTTP/1.1\r\n${host}Expect: tea\r\nContent-Length: 0\r\n\r\n`, status: 417 },
  ];

  it("are answered as problem+json with a request id, and never reach the handler", async () => {
    let reached = 0;
    const { port } = await startFront("0", (_req, res) => {
      reached++;
      res.end("reached");
    });
    for (const c of cases) {
      const answer = await rawExchange("127.0.0.1", port, { name: c.name, chunks: [c.request] });
      expect(statusCodes(answer), `${c.name}: ${answer.slice(0, 200)}`).toEqual([c.status]);
      expect(answer, c.name).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i);
      const problem = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { status: number; requestId: string; title: string; detail: string };
      expect(problem, c.name).toMatchObject({ status: c.status, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      if (c.status === 405) expect(answer, c.name).toMatch(/\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i);
    }
    expect(reached).toBe(0);
  });

  it("a refusal after a pipelined request comes after that request's answer", async () => {
    const { port } = await startFront("0", (_req, res) => setTimeout(() => res.end("first"), 200));
    // Not rawExchange: its half-close makes Node drop the request in flight.
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write(`GET / HTTP/1.1\r\n${host}\r\nBREW /pot HTTP/1.1\r\n${host}\r\n`));
      let data = "";
      socket.on("data", (d) => (data += d.toString("latin1")));
      socket.on("close", () => resolve(data));
    });
    expect(statusCodes(answer)).toEqual([200, 405]);
    expect(answer.indexOf("first")).toBeLessThan(answer.indexOf("HTTP/1.1 405"));
  });
});

describe("what keeps working", () => {
  it("serves a request with an Upgrade header as a plain one (Next closed them unanswered)", async () => {
    const { port, seen } = await startFront("0");
    const answer = await get(port, { headers: { connection: "Upgrade", upgrade: "websocket" } });
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it("keeps connections alive between requests", async () => {
    const { port, seen } = await startFront("0");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(port, { agent });
    await get(port, { agent });
    agent.destroy();
    expect(seen[0]!.remotePort).toBe(seen[1]!.remotePort);
  });

  it("answers a handler's failure as a problem, not Next's text/plain 500", async () => {
    const { port } = await startFront("0", () => Promise.reject(new Error("boom")));
    const answer = await get(port, { headers: { "x-request-id": "req-1234567890" } });
    expect(answer.status).toBe(500);
    expect(answer.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(JSON.parse(answer.body)).toMatchObject({ status: 500, title: "Internal server error", requestId: "req-1234567890" });
  });

  it("on shutdown lets a request finish, cuts the live stream at once, and takes no new connection", async () => {
    const { port, front } = await startFront("0", (req, res) => {
      if (req.url!.startsWith("/api/v1/stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(": connected\n\n");
        return;
      }
      setTimeout(() => res.end("done"), 700);
    });
    const streamClosed = new Promise<number>((resolve) => {
      http.get({ host: "127.0.0.1", port, path: "/api/v1/stream", agent: false }, (res) => {
        res.resume();
        res.on("close", () => resolve(Date.now()));
      });
    });
    const agent = new http.Agent({ keepAlive: true });
    const slow = get(port, { path: "/slow", agent });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    const closed = front.close();
    expect((await streamClosed) - started).toBeLessThan(300);
    const answer = await slow;
    expect(answer).toMatchObject({ status: 200, body: "done" });
    expect(answer.headers.connection).toBe("close");
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });
});
