// Network probes with timeouts, and errors put in the words an operator reads
// ("connection refused", "timed out after 800 ms") rather than errno soup.
import net from "node:net";
import { performance } from "node:perf_hooks";

const ERRNO_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "timed out",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for headers",
  UND_ERR_BODY_TIMEOUT: "timed out reading the body",
  CERT_HAS_EXPIRED: "TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match the host",
};

export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/** One short phrase for a failed network call. */
export function describeError(error: unknown): string {
  if (error instanceof ProbeTimeout) return error.message;
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  if (code && ERRNO_WORDS[code]) return ERRNO_WORDS[code];
  if (e?.name === "TimeoutError") return "timed out";
  if (e?.name === "AbortError") return "aborted";
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** An URL fit for a log line or a reason: no user, password, query or fragment. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function timeoutSignal(timeoutMs: number, outer?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: outer ? AbortSignal.any([timeout, outer]) : timeout, timedOut: () => timeout.aborted };
}

export type HttpResult = { status: number; latencyMs: number; body: string };

/**
 * One HTTP request with a deadline covering headers and body; the body is read
 * up to maxBodyBytes (a bigger one is an error: we never buffer what a broken
 * or hostile target streams). Redirects are not followed.
 */
export async function httpRequest(
  url: string,
  opts: { method?: "GET" | "POST"; timeoutMs: number; signal?: AbortSignal; maxBodyBytes?: number; readBody?: boolean; json?: unknown },
): Promise<HttpResult> {
  const { signal, timedOut } = timeoutSignal(opts.timeoutMs, opts.signal);
  // fetch refuses URLs with credentials (and its error quotes them): send them as Basic auth instead.
  const target = new URL(url);
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "clusterdeck-agent" };
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  if (target.username || target.password) {
    headers.authorization = "Basic " + Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64");
    target.username = "";
    target.password = "";
  }
  const started = performance.now();
  try {
    const res = await fetch(target, {
      method: opts.method ?? "GET",
      redirect: "manual",
      signal,
      headers,
      body: opts.method === "POST" ? (opts.json === undefined ? "" : JSON.stringify(opts.json)) : undefined,
    });
    const latencyMs = performance.now() - started;
    if (opts.readBody === false || !res.body) {
      await res.body?.cancel().catch(() => {});
      return { status: res.status, latencyMs, body: "" };
    }
    const max = opts.maxBodyBytes ?? 64 * 1024;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new Error(`response larger than ${max} bytes`);
      }
      chunks.push(value);
    }
    return { status: res.status, latencyMs, body: Buffer.concat(chunks).toString("utf8") };
  } catch (error) {
    if (timedOut()) throw new ProbeTimeout(opts.timeoutMs);
    throw error;
  }
}

/** Opens a TCP connection and closes it at once; resolves with the connect latency. */
export function tcpProbe(host: string, port: number, timeoutMs: number, outer?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host, port });
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.destroy();
      if (error) reject(error);
      else resolve(performance.now() - started);
    };
    const onAbort = () => finish(Object.assign(new Error("aborted"), { name: "AbortError" }));
    const timer = setTimeout(() => finish(new ProbeTimeout(timeoutMs)), timeoutMs);
    outer?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish());
    socket.once("error", (error) => finish(error));
  });
}

/** "db.local:5432" / "[::1]:5432" → host and port (validated by the config schema). */
export function splitHostPort(target: string): { host: string; port: number } {
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(target.slice(colon + 1)) };
}
