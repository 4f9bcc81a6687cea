// The web process of `clusterdeck start` (and so of `demo` and the HA lab): a
// plain Node HTTP server in front of Next's request handler, through Next's
// documented custom-server API. It does what nothing behind it can:
//
// - It sees the socket. Route handlers under `next start` only see headers,
//   and Next fills X-Forwarded-For only when the client left it out, so any
//   client could name the address the audit records and the sign-in throttle
//   counts. Here the forwarding headers are rewritten from the socket and
//   believed only as far as the operator says proxies stand in front
//   (CLUSTERDECK_TRUST_PROXY, validated by lib/env.ts and passed as --trust-proxy).
// - It answers what Next cannot turn into a fetch Request, or mishandles,
//   before any app code runs: TRACE/TRACK, CONNECT, `OPTIONS *`, absolute-form
//   targets (Next redirected those off-site), broken percent-encodings, HTTP
//   the parser refuses. Each gets problem+json with a request id, as the API does.
//
// Plain JavaScript run by bare Node, outside Next's bundler and tsx, so that
// Next's server loads exactly as `next start` would load it.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format, parseArgs, stripVTControlCharacters } from "node:util";
import { PROBLEM_CONTENT_TYPE, problemShape } from "../lib/http/problem-shape.mjs";
import { createLogger, maskPlainStrings, REDACT_PATHS } from "../lib/agent-protocol/log/pino.mjs";

/** The web process's own lines, in the format and with the redaction of every Clusterdeck log (lib/agent-protocol/log/writer.ts). */
const CENSOR = "••••••";
const logger = createLogger({ role: () => "web", mask: (fields) => maskPlainStrings(fields, CENSOR), redactPaths: REDACT_PATHS, censor: CENSOR });
const defaultLog = ({ level, msg, ...fields }) => logger[level]({ ...fields, msg });

/**
 * What Next and libraries print through console.* ("✓ Running next.config.mjs…",
 * warnings) becomes a line of the same shape ("msg":"web.console", the text in
 * "text"), so every line the web process writes is one JSON object.
 */
function consoleThroughLog() {
  const levels = { log: "info", info: "info", debug: "debug", warn: "warn", error: "error" };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const text = stripVTControlCharacters(format(...args)).trim();
      if (text) defaultLog({ level, msg: "web.console", text: text.slice(0, 8000) });
    };
  }
}

/** What a 405 from here offers; proxy.ts names the exact methods of each API route. */
const SERVED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
/** Headers through which a client or a proxy describes the connection. */
const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", "x-real-ip"];
/** The one route whose answers never end by themselves (Server-Sent Events). */
const STREAM_PATH = "/api/v1/stream";
/** Time in-flight requests get on shutdown; `clusterdeck start` sends SIGKILL after 5 s. */
const SHUTDOWN_GRACE_MS = 3000;

/** What a trusted proxy may say in X-Forwarded-Host / -Proto / -Port; anything else is dropped. */
const FORWARDED_VALUE = {
  "x-forwarded-host": /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/,
  "x-forwarded-proto": /^https?$/i,
  "x-forwarded-port": /^\d{1,5}$/,
};

function requestIdOf(req) {
  const given = req?.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

function problemText(status, title, detail, requestId) {
  return JSON.stringify(problemShape(status, title, detail, requestId));
}

function problemHeaders(body, requestId, extra) {
  return {
    "content-type": PROBLEM_CONTENT_TYPE,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-request-id": requestId,
    ...extra,
  };
}

/** Answers a parsed request with problem+json. */
function sendProblem(req, res, { status, title, detail, headers = {} }) {
  const requestId = requestIdOf(req);
  const body = problemText(status, title, detail, requestId);
  res.writeHead(status, problemHeaders(body, requestId, headers));
  res.end(req.method === "HEAD" ? undefined : body);
}

/** A whole HTTP/1.1 answer as text, for sockets that never became a request (parser errors, CONNECT). */
function rawProblem({ status, title, detail, headers = {} }) {
  const requestId = randomUUID();
  const body = problemText(status, title, detail, requestId);
  const lines = Object.entries(problemHeaders(body, requestId, { connection: "close", ...headers })).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** Quoted for a message: the client's text, bounded and printable. */
function quote(text) {
  return JSON.stringify(String(text).slice(0, 60)).replace(/[^\x20-\x7e]/g, "?");
}

/**
 * Why a request is answered here instead of by Next, or null. Next turns every
 * request into a fetch Request first, which cannot hold TRACE or a target
 * that is not a path (its 500), and it redirects an absolute-form target to
 * that URL's host.
 */
export function refusalFor(req) {
  const method = req.method ?? "";
  const target = req.url ?? "";
  if (method === "TRACE" || method === "TRACK") {
    return {
      status: 405,
      title: "Method not allowed",
      detail: `${method} is not served: it would echo the request back, credentials included`,
      headers: { allow: SERVED_METHODS },
    };
  }
  if (target === "*") {
    return {
      status: 400,
      title: "Bad request",
      detail: `The asterisk-form target (${method} *) asks about the server as a whole; this server answers for paths only, such as ${method} /api/v1/health`,
    };
  }
  // RFC 9112 asks servers to accept absolute-form, but only proxies are sent
  // it; no browser or HTTP client this console serves uses it towards an
  // origin server, so it is refused rather than half-supported.
  if (!target.startsWith("/")) {
    return {
      status: 400,
      title: "Bad request",
      detail: `The request target must be a path such as /api/v1/health, not ${quote(target)}: this server is not a proxy`,
    };
  }
  const pathname = target.split(/[?#]/, 1)[0];
  try {
    decodeURIComponent(pathname);
  } catch {
    return { status: 400, title: "Bad request", detail: "The path holds a malformed percent-encoding (or one that is not UTF-8)" };
  }
  return null;
}

/** The socket's address; an IPv4 client on a dual-stack listener shows as ::ffff:a.b.c.d, written here as a.b.c.d. */
export function peerAddress(socket) {
  const address = socket?.remoteAddress;
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function listOf(value) {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(",") : String(value))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Rewrites the forwarding headers in place. With no trusted proxy (hops 0)
 * every one the client sent is dropped and X-Forwarded-For becomes the
 * socket's address. Behind `hops` trusted proxies, each of which appends the
 * address it was reached from, the socket's address is appended too: the
 * client is then the entry `hops` from the right (lib/auth/client-ip.ts).
 * X-Forwarded-Host/-Proto/-Port are reduced to the value the outermost
 * trusted proxy gave (the entry `hops` from the right end of each list, the
 * list's first when shorter), or dropped when it is malformed.
 */
export function applyForwarding(req, hops) {
  const headers = req.headers;
  const peer = peerAddress(req.socket);
  if (hops === 0) {
    for (const name of FORWARDING_HEADERS) delete headers[name];
    if (peer) headers["x-forwarded-for"] = peer;
    headers["x-forwarded-proto"] = "http";
    if (headers.host) headers["x-forwarded-host"] = headers.host;
    return;
  }
  const chain = listOf(headers["x-forwarded-for"]);
  if (peer) chain.push(peer);
  if (chain.length > 0) headers["x-forwarded-for"] = chain.join(", ");
  else delete headers["x-forwarded-for"];
  for (const [name, pattern] of Object.entries(FORWARDED_VALUE)) {
    const values = listOf(headers[name]);
    const value = values[Math.max(0, values.length - hops)];
    if (value !== undefined && pattern.test(value)) headers[name] = name === "x-forwarded-proto" ? value.toLowerCase() : value;
    else delete headers[name];
  }
}

/** The answer to a request the HTTP parser refused (Node's own is an empty 400). */
function parserRefusal(error) {
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return { status: 431, title: "Request header fields too large", detail: "The request line and headers exceed the server's limit" };
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return { status: 408, title: "Request timeout", detail: "The request did not arrive in time" };
  }
  const packet = error.rawPacket ? Buffer.from(error.rawPacket).subarray(0, 64).toString("latin1") : "";
  const method = /^([A-Za-z][A-Za-z0-9_-]{0,31}) /.exec(packet)?.[1];
  if (error.code === "HPE_INVALID_METHOD" && method) {
    const why = method === "TRACK" ? "it would echo the request back, credentials included" : "this server does not know it";
    return { status: 405, title: "Method not allowed", detail: `${method} is not served: ${why}`, headers: { allow: SERVED_METHODS } };
  }
  const reason = typeof error.reason === "string" ? `: ${error.reason.slice(0, 100)}` : "";
  return { status: 400, title: "Bad request", detail: `The request is not valid HTTP/1.1${reason}` };
}

/**
 * The front server around any request handler (Next's, or a test's). Returns
 * the http.Server and a close() that stops it the way `next start` did on
 * SIGTERM, but without waiting on live streams: they are cut at once (an
 * EventSource reconnects, to another instance behind a load balancer), and
 * other requests get SHUTDOWN_GRACE_MS to finish.
 */
export function createFrontServer({ handle, trustProxyHops, log = defaultLog }) {
  if (!Number.isInteger(trustProxyHops) || trustProxyHops < 0) throw new Error(`trustProxyHops must be a non-negative integer, not ${trustProxyHops}`);
  const inFlight = new Map(); // socket → its response now being answered
  const streams = new Set();
  let stopping = false;

  const server = http.createServer((req, res) => {
    const refusal = refusalFor(req);
    if (refusal) return sendProblem(req, res, refusal);
    applyForwarding(req, trustProxyHops);
    if (stopping) res.setHeader("connection", "close");
    const socket = req.socket;
    inFlight.set(socket, res);
    const isStream = req.url.split("?", 1)[0] === STREAM_PATH;
    if (isStream) streams.add(res);
    res.once("close", () => {
      if (inFlight.get(socket) === res) inFlight.delete(socket);
      streams.delete(res);
    });
    Promise.resolve()
      .then(() => handle(req, res))
      .catch((error) => {
        log({
          level: "error",
          msg: "front.handler-failed",
          path: req.url.split("?", 1)[0].slice(0, 200),
          error: String(error?.stack ?? error).slice(0, 2000),
        });
        if (!res.headersSent)
          sendProblem(req, res, {
            status: 500,
            title: "Internal server error",
            detail: "Something went wrong on our side; the request id identifies it in the logs",
          });
        else res.destroy();
      });
  });

  server.on("checkExpectation", (req, res) => {
    sendProblem(req, res, { status: 417, title: "Expectation failed", detail: `Only "Expect: 100-continue" is understood, not ${quote(req.headers.expect)}` });
  });

  // CONNECT asks for a tunnel; Node hands it over as a bare socket.
  server.on("connect", (_req, socket) => {
    socket.on("error", () => {});
    socket.end(
      rawProblem({ status: 405, title: "Method not allowed", detail: "CONNECT is not served: this server is not a proxy", headers: { allow: SERVED_METHODS } }),
    );
  });

  server.on("clientError", (error, socket) => {
    socket.on("error", () => {});
    if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    const answer = rawProblem(parserRefusal(error));
    // A pipelined request may still be answered on this socket: the refusal goes after it, never into it.
    const pending = inFlight.get(socket);
    if (!pending || pending.writableFinished) return socket.end(answer);
    pending.once("finish", () => (socket.writable ? socket.end(answer) : socket.destroy()));
    pending.once("close", () => {
      if (!pending.writableFinished) socket.destroy();
    });
  });

  let closing;
  const close = () => {
    closing ??= new Promise((resolve) => {
      stopping = true;
      server.close(() => resolve());
      server.closeIdleConnections();
      for (const res of inFlight.values()) if (!res.headersSent) res.setHeader("connection", "close");
      for (const res of streams) res.destroy();
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      cut.unref();
    });
    return closing;
  };
  return { server, close };
}

/** Next behind the front server, listening until SIGTERM or SIGINT. */
export async function runFrontServer({ dir, hostname, port, trustProxyHops }) {
  consoleThroughLog();
  process.title = "clusterdeck-web";
  const { default: next } = await import("next");
  // A custom server gets TURBOPACK=auto from next() (a bundler choice for dev);
  // `next start` runs without it, and so does this production server.
  const hadTurbopack = "TURBOPACK" in process.env;
  // Next attaches its upgrade listener (dev HMR, rewrites to WebSocket
  // backends: neither exists here) to httpServer, else to the server of the
  // first request. With any upgrade listener Node hands each request carrying
  // an Upgrade header (curl --http2 sends one) to it, and Next closed those
  // unanswered. Given this sink, the front server has none, and Node serves
  // them as ordinary requests, ignoring Upgrade as RFC 9110 allows.
  const upgradeSink = new EventEmitter();
  const app = next({ dev: false, dir, hostname, port, httpServer: upgradeSink });
  if (!hadTurbopack) delete process.env.TURBOPACK;
  await app.prepare();
  const front = createFrontServer({ handle: app.getRequestHandler(), trustProxyHops });
  await new Promise((resolve, reject) => {
    front.server.once("error", reject);
    front.server.listen(port, hostname, () => {
      front.server.off("error", reject);
      resolve();
    });
  });
  const trust =
    trustProxyHops === 0
      ? "no proxy trusted: X-Forwarded-* from clients ignored"
      : `trusting ${trustProxyHops} prox${trustProxyHops === 1 ? "y" : "ies"} in front`;
  defaultLog({ level: "info", msg: "web.listening", url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`, trust });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await front.close();
      await app.close().catch((error) => defaultLog({ level: "error", msg: "web.close-failed", error: String(error?.message ?? error) }));
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    })();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

function isMain() {
  return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
}

if (isMain()) {
  const { values } = parseArgs({
    options: { dir: { type: "string" }, hostname: { type: "string" }, port: { type: "string" }, "trust-proxy": { type: "string" } },
  });
  const port = Number(values.port);
  const trustProxyHops = Number(values["trust-proxy"] ?? "0");
  if (!values.hostname || !Number.isInteger(port) || !Number.isInteger(trustProxyHops) || trustProxyHops < 0) {
    process.stderr.write("usage: front-server.mjs --hostname H --port N [--trust-proxy HOPS] [--dir DIR]  (run by `clusterdeck start`)\n");
    process.exit(2);
  }
  const dir = values.dir ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  runFrontServer({ dir, hostname: values.hostname, port, trustProxyHops }).catch((error) => {
    defaultLog({ level: "error", msg: "web.start-failed", error: String(error?.stack ?? error).slice(0, 4000) });
    process.exit(1);
  });
}
