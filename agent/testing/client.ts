// Test helpers: plain node:http(s) requests (so a test controls every header
// and byte, which fetch would not allow), signed requests, NDJSON streams.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { signRequest } from "@/lib/agent-protocol/signing";

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === "https:" ? https : http;
    const req = mod.request(
      u,
      {
        method: opts.method ?? "GET",
        // Node frames a GET's body only when told its length.
        headers: { ...(opts.body !== undefined ? { "content-length": String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
        agent: false,
        ca: opts.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

export type Key = { keyId: string; secret: string };

/** Signs and sends one request to an agent. `url` is the agent's base URL. */
export function signed(
  base: string,
  key: Key,
  method: string,
  pathWithQuery: string,
  body?: string,
  extra: { ca?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const authorization = signRequest({ ...key, method, pathWithQuery, body });
  return request(base + pathWithQuery, {
    method,
    body,
    ca: extra.ca,
    headers: { authorization, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...extra.headers },
  });
}

export type StreamLine = { at: number; line: string };
export type OpenStream = { status: number; headers: http.IncomingHttpHeaders; lines: StreamLine[]; opened: number; close(): void; ended: Promise<void> };

/** Opens a signed /v1/stream and records every line with its arrival time. */
export function openStream(base: string, key: Key, opts: { ca?: string | Buffer } = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const path = "/v1/stream";
    const u = new URL(base + path);
    const mod = u.protocol === "https:" ? https : http;
    const req = mod.request(
      u,
      { headers: { authorization: signRequest({ ...key, method: "GET", pathWithQuery: path }) }, agent: false, ca: opts.ca },
      (res) => {
        const lines: StreamLine[] = [];
        let buffered = "";
        let endedResolve!: () => void;
        const ended = new Promise<void>((r) => (endedResolve = r));
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffered += chunk;
          let nl;
          while ((nl = buffered.indexOf("\n")) >= 0) {
            lines.push({ at: performance.now(), line: buffered.slice(0, nl) });
            buffered = buffered.slice(nl + 1);
          }
        });
        res.on("end", endedResolve);
        res.on("close", endedResolve);
        res.on("error", endedResolve);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, lines, opened: performance.now(), close: () => req.destroy(), ended });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
