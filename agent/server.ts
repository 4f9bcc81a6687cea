// The agent's HTTP(S) server. It only answers: it never calls the console, so
// it keeps collecting while the console is away and is simply there when the
// worker reconnects.
//
//   GET  /v1/status   the latest snapshot                       (signed)
//   GET  /v1/stream   NDJSON: latest snapshot at once, then one per tick (signed)
//   POST /v1/actions  an agentAction, carried out by the driver (signed)
//   GET  /metrics     Prometheus text: Bearer metricsToken, or open only when
//                     the config says openMetrics (closed by default)
//
// Every /v1 request passes verifyRequest before anything else is looked at
// beyond its route; a refusal is a 401 with the reason, a counter and a log
// line, and changes nothing.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { ANSWER_SIGNATURE_HEADER, NonceCache, signAnswer, verifyRequest, type VerifyFailure } from "@/lib/agent-protocol/signing";
import { AGENT_PATHS, agentAction, configCandidate, CONFIG_ROLE, MAX_CONFIG_BYTES } from "@/lib/agent-protocol/types";
import { configChecksum } from "@/lib/agent-protocol/config/checksum";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { ConfigInvalid } from "./managed/problems";
import { version } from "@/lib/agent-protocol/version";
import { Collector } from "./collector";
import type { AgentConfig, Credential } from "./config";
import { loadDriver } from "./load-driver";
import { rateLimited, stderrLog, type LogSink } from "./log";
import { Registry } from "prom-client";
import { family, PROMETHEUS_CONTENT_TYPE } from "./prom";
import { ActionError, type Driver } from "./drivers/types";

export const MAX_ACTION_BODY_BYTES = 16 * 1024;
/** More concurrent streams than any sane number of workers would open. */
export const MAX_STREAMS = 64;
/** A stream client this far behind is dropped rather than buffered for. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

type RefusalReason = VerifyFailure | "metrics-token" | "metrics-closed" | "body-too-large" | "bad-json" | "invalid-action" | "invalid-config-request";
/** Every reason a request is refused: one series each in clusterdeck_agent_refused_requests_total (the fleet simulator reports the same). */
export const REFUSAL_REASONS: RefusalReason[] = [
  "missing",
  "malformed",
  "unknown-key",
  "skew",
  "replay",
  "bad-signature",
  "metrics-token",
  "metrics-closed",
  "body-too-large",
  "bad-json",
  "invalid-action",
  "invalid-config-request",
];
export const METRICS_CLOSED_MESSAGE =
  "GET /metrics is closed: set metricsToken in the agent's config (16+ printable characters; Prometheus sends it as a bearer token) and send SIGHUP, or set openMetrics: true to serve it without a token";
/** A configuration plus its JSON envelope. */
const MAX_CONFIG_BODY_BYTES = MAX_CONFIG_BYTES * 2 + 4096;

const ROUTES: Record<string, "GET" | "POST"> = {
  [AGENT_PATHS.status]: "GET",
  [AGENT_PATHS.stream]: "GET",
  [AGENT_PATHS.actions]: "POST",
  [AGENT_PATHS.metrics]: "GET",
  [AGENT_PATHS.config]: "GET",
  [AGENT_PATHS.configValidate]: "POST",
  [AGENT_PATHS.configApply]: "POST",
};

export type AgentOptions = {
  /** A ready driver instead of the role's own (tests use one that misbehaves on purpose). */
  driver?: Driver;
  log?: LogSink;
};

export type RunningAgent = {
  url: string;
  port: number;
  collector: Collector;
  /** Swaps the credentials and the metrics access in place (key rotation without dropping streams). */
  setAuth(auth: { credentials: Credential[]; metricsToken?: string; openMetrics?: boolean }): void;
  close(): Promise<void>;
};

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * The key and nonce of a request that passed verifyRequest: its JSON answer is
 * signed with them, which is how the console tells this agent's words from
 * those of something else listening at the agent's URL.
 */
const answerKeys = new WeakMap<ServerResponse, { secret: string; nonce: string }>();

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const key = answerKeys.get(res);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...(key ? { [ANSWER_SIGNATURE_HEADER]: signAnswer({ ...key, status, body: text }) } : {}),
    ...headers,
  });
  res.end(text);
}

class BodyTooLarge extends Error {}
/** The client went away before its body was complete. */
class BodyAborted extends Error {}

/**
 * Reads the request body up to `limit` bytes. Past the limit the rest is read
 * and dropped rather than the request destroyed: the socket must stay usable
 * for the 413 (a for-await loop left early destroys it, and then the refusal
 * itself failed and answered 500).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        return settle(() => reject(new BodyTooLarge()));
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks))));
    req.on("error", () => settle(() => reject(new BodyAborted())));
    req.on("close", () => settle(() => (req.complete ? resolve(Buffer.concat(chunks)) : reject(new BodyAborted()))));
  });
}

/** The peer's address for logs; null once the socket is gone (a client that hung up). */
function remoteOf(req: IncomingMessage): string | null {
  return req.socket?.remoteAddress ?? null;
}

export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<RunningAgent> {
  const log = options.log ?? stderrLog;
  const refusalLog = rateLimited(log);
  const startedAt = new Date();
  const driver = options.driver ?? (await loadDriver(config));
  const collector = new Collector(driver, { name: config.name, role: config.role, version, startedAt: startedAt.toISOString() }, config.intervalMs, log);

  let secrets = new Map<string, string>();
  // /metrics: a token, explicitly open, or closed. Closed is the default because
  // the figures (host load, names, refusal counts) help whoever maps a network.
  let metricsAccess: { kind: "token"; hash: Buffer } | { kind: "open" } | { kind: "closed" } = { kind: "closed" };
  const setAuth: RunningAgent["setAuth"] = (auth) => {
    secrets = new Map(auth.credentials.map((c) => [c.keyId, c.secret]));
    metricsAccess = auth.metricsToken ? { kind: "token", hash: sha256(auth.metricsToken) } : auth.openMetrics ? { kind: "open" } : { kind: "closed" };
  };
  setAuth(config);
  const nonces = new NonceCache();

  const refused = new Map<RefusalReason, number>(REFUSAL_REASONS.map((r) => [r, 0]));
  const streams = new Set<ServerResponse>();
  let actionQueue: Promise<unknown> = Promise.resolve();

  function refuse(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    reason: RefusalReason,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    refused.set(reason, (refused.get(reason) ?? 0) + 1);
    refusalLog({
      level: "warn",
      msg: "request refused",
      remote: remoteOf(req),
      method: req.method,
      path: (req.url ?? "").split("?")[0]!.slice(0, 200),
      status,
      reason,
    });
    sendJson(res, status, body, headers);
  }

  function authenticate(req: IncomingMessage, res: ServerResponse, body: Buffer | string): true | { reason: VerifyFailure } {
    const result = verifyRequest({
      header: req.headers.authorization,
      method: req.method ?? "",
      pathWithQuery: req.url ?? "",
      body,
      secretFor: (keyId) => secrets.get(keyId),
      nonces,
    });
    if (!result.ok) return { reason: result.reason };
    const secret = secrets.get(result.keyId);
    if (secret) answerKeys.set(res, { secret, nonce: result.nonce });
    return true;
  }

  function unauthorized(req: IncomingMessage, res: ServerResponse, reason: VerifyFailure) {
    refuse(req, res, 401, reason, { error: "unauthorized", reason }, { "www-authenticate": "CD1-HMAC-SHA256" });
  }

  /** Reads, size-checks, authenticates and parses a signed JSON body; undefined when it answered already. */
  async function readSignedJson(req: IncomingMessage, res: ServerResponse, limit: number): Promise<{ json: unknown } | undefined> {
    if (!req.headers.authorization) {
      unauthorized(req, res, "missing");
      return undefined;
    }
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        refuse(req, res, 413, "body-too-large", { error: "payload-too-large", message: `the body must be at most ${limit} bytes` }, { connection: "close" });
        return undefined;
      }
      // Nobody is left to answer; nothing was read that could be acted on.
      if (error instanceof BodyAborted) {
        res.destroy();
        return undefined;
      }
      throw error;
    }
    const auth = authenticate(req, res, body);
    if (auth !== true) {
      unauthorized(req, res, auth.reason);
      return undefined;
    }
    // Malformed, nested past MAX_JSON_DEPTH (a recursive walk of 20,000 levels
    // overflows the stack) or holding a NUL or lone surrogate: the same rules as the console's API.
    const parsed = parseUntrustedJson(body.toString("utf8"), "body");
    if (!parsed.ok) {
      const message = parsed.refusal.kind === "syntax" ? "the body is not valid JSON" : parsed.refusal.message;
      refuse(req, res, 400, "bad-json", { error: "bad-request", message, ...(parsed.refusal.kind === "syntax" ? {} : { path: parsed.refusal.where }) });
      return undefined;
    }
    return { json: parsed.value };
  }

  /** Runs one change at a time: actions and configuration changes never interleave. */
  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = actionQueue.then(fn);
    actionQueue = run.catch(() => {});
    return run;
  }

  async function handleConfigChange(req: IncomingMessage, res: ServerResponse, mode: "validate" | "apply") {
    const read = await readSignedJson(req, res, MAX_CONFIG_BODY_BYTES);
    if (!read) return;
    const manager = driver.config;
    const parsed = configCandidate.safeParse(read.json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
      return refuse(req, res, 422, "invalid-config-request", { error: "invalid-config-request", issues });
    }
    const candidate = parsed.data;
    if (!manager) return sendJson(res, 409, { error: "config-not-managed", message: `this ${config.role} agent is not configured to manage a configuration` });
    if (candidate.kind !== manager.kind || CONFIG_ROLE[candidate.kind] !== config.role) {
      return refuse(req, res, 422, "invalid-config-request", {
        error: "invalid-config-request",
        message: `this agent manages ${manager.kind}, not ${candidate.kind}`,
      });
    }
    // The checksum proves the text arrived whole and is the one the console meant.
    if (configChecksum(candidate.content) !== candidate.checksum) {
      return refuse(req, res, 422, "invalid-config-request", { error: "invalid-config-request", message: "checksum does not match the content" });
    }
    try {
      if (mode === "validate") {
        const problems = await manager.validate(candidate.content);
        return sendJson(res, 200, { ok: problems.length === 0, problems: problems.slice(0, 200) });
      }
      const result = await serialized(() => manager.apply(candidate.content));
      log({ level: "info", msg: "configuration applied", kind: manager.kind, checksum: result.checksum, remote: remoteOf(req) });
      collector.refresh();
      sendJson(res, 200, { ok: true, checksum: result.checksum });
    } catch (error) {
      if (error instanceof ConfigInvalid)
        return sendJson(res, 422, { error: "invalid-config", message: error.message, problems: error.problems.slice(0, 200) });
      const status = error instanceof ActionError ? error.status : 500;
      const message = (error as Error)?.message ?? String(error);
      log({ level: status === 500 ? "error" : "warn", msg: `configuration ${mode} failed`, kind: manager.kind, status, error: message.slice(0, 300) });
      sendJson(res, status, { error: status === 500 ? "internal" : "config-failed", message });
    }
  }

  async function handleConfigRead(res: ServerResponse) {
    const manager = driver.config;
    if (!manager) return sendJson(res, 409, { error: "config-not-managed", message: `this ${config.role} agent is not configured to manage a configuration` });
    const state = await manager.current();
    sendJson(res, 200, {
      kind: manager.kind,
      checksum: state.checksum,
      content: state.content,
      ...(state.problem ? { problem: state.problem } : {}),
      ...(manager.policy ? { policy: manager.policy } : {}),
    });
  }

  async function handleActions(req: IncomingMessage, res: ServerResponse) {
    const read = await readSignedJson(req, res, MAX_ACTION_BODY_BYTES);
    if (!read) return;
    const json = read.json;
    const parsed = agentAction.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), message: i.message }));
      return refuse(req, res, 422, "invalid-action", { error: "invalid-action", issues });
    }
    const action = parsed.data;
    // One action at a time: a drain and a resume racing each other would leave the app in either state.
    const run = serialized(() => driver.act(action));
    try {
      const result = await run;
      log({ level: "info", msg: "action done", action: action.action, remote: remoteOf(req) });
      collector.refresh();
      sendJson(res, 200, { ok: true, action: action.action, result: result ?? null });
    } catch (error) {
      const status = error instanceof ActionError ? error.status : 500;
      const message = (error as Error)?.message ?? String(error);
      log({ level: status === 500 ? "error" : "warn", msg: "action failed", action: action.action, status, error: message.slice(0, 300) });
      sendJson(res, status, { error: status === 500 ? "internal" : "action-failed", action: action.action, message });
    }
  }

  function handleStream(req: IncomingMessage, res: ServerResponse) {
    if (streams.size >= MAX_STREAMS) {
      sendJson(res, 503, { error: "too-many-streams", message: `at most ${MAX_STREAMS} streams at once` }, { "retry-after": "5" });
      return;
    }
    res.writeHead(200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 10_000);
    streams.add(res);
    const send = (line: string) => {
      if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
        log({ level: "warn", msg: "stream client too slow, dropped", remote: remoteOf(req) });
        res.destroy();
        return;
      }
      res.write(line);
    };
    const unsubscribe = collector.subscribe(send);
    if (collector.latestLine) send(collector.latestLine);
    else res.flushHeaders();
    res.on("close", () => {
      unsubscribe();
      streams.delete(res);
    });
  }

  /** The agent's own families, read from the collector at scrape time. */
  function agentFamilies(registry: Registry): void {
    const latest = collector.latest;
    const host = latest?.host;
    const health = latest?.health;
    family(registry, "clusterdeck_agent_up", "gauge", "1 while the agent process runs.", 1);
    family(registry, "clusterdeck_agent_info", "gauge", "The agent's identity.", [{ labels: { role: config.role, name: config.name, version }, value: 1 }]);
    family(registry, "clusterdeck_agent_start_time_seconds", "gauge", "When the agent started (Unix time).", startedAt.getTime() / 1000);
    family(
      registry,
      "clusterdeck_agent_health",
      "gauge",
      "1 for the health of the latest snapshot.",
      (["UP", "DEGRADED", "DOWN"] as const).map((s) => ({ labels: { state: s }, value: health === s ? 1 : 0 })),
    );
    family(
      registry,
      "clusterdeck_agent_collect_duration_seconds",
      "gauge",
      "How long the last driver collect took.",
      collector.lastDurationMs === undefined ? NaN : collector.lastDurationMs / 1000,
    );
    family(registry, "clusterdeck_agent_collects_total", "counter", "Driver collects started.", collector.collectsTotal);
    family(registry, "clusterdeck_agent_collect_failures_total", "counter", "Driver collects that threw or overran the interval.", collector.failuresTotal);
    family(registry, "clusterdeck_agent_snapshot_seq", "gauge", "seq of the latest snapshot.", collector.seq);
    family(registry, "clusterdeck_agent_streams", "gauge", "Open /v1/stream connections.", streams.size);
    family(
      registry,
      "clusterdeck_agent_refused_requests_total",
      "counter",
      "Requests refused, by reason.",
      [...refused].map(([reason, value]) => ({ labels: { reason }, value })),
    );
    if (host) {
      family(registry, "clusterdeck_agent_host_cpu_ratio", "gauge", "Host CPU busy share between the last two snapshots (0..1).", host.cpu);
      family(registry, "clusterdeck_agent_host_memory_used_bytes", "gauge", "Host memory in use.", host.memoryUsed);
      family(registry, "clusterdeck_agent_host_memory_total_bytes", "gauge", "Host memory.", host.memoryTotal);
      family(registry, "clusterdeck_agent_host_load1", "gauge", "Host 1-minute load average.", host.load1);
    }
  }

  async function handleMetrics(req: IncomingMessage, res: ServerResponse) {
    const access = metricsAccess;
    if (access.kind === "closed") {
      return refuse(req, res, 403, "metrics-closed", { error: "metrics-closed", message: METRICS_CLOSED_MESSAGE });
    }
    if (access.kind === "token") {
      const header = req.headers.authorization ?? "";
      const given = header.startsWith("Bearer ") ? sha256(header.slice(7).trim()) : undefined;
      // Both sides hashed to the same length, so the comparison is constant-time whatever was sent.
      if (!given || !timingSafeEqual(given, access.hash)) {
        return refuse(req, res, 401, "metrics-token", { error: "unauthorized", reason: "metrics-token" }, { "www-authenticate": 'Bearer realm="metrics"' });
      }
    }
    const own = new Registry();
    agentFamilies(own);
    // The driver fills a registry of its own: one that throws half-way loses its families, not the agent's.
    const registries = [own];
    try {
      const driverRegistry = new Registry();
      driver.metrics(driverRegistry);
      registries.push(driverRegistry);
    } catch (error) {
      log({ level: "error", msg: "driver metrics failed", error: (error as Error).message });
    }
    const text = await Registry.merge(registries).metrics();
    res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "").split("?")[0]!;
    const method = ROUTES[path];
    if (!method) return sendJson(res, 404, { error: "not-found" });
    if (req.method !== method) return sendJson(res, 405, { error: "method-not-allowed", allow: method }, { allow: method });
    if (path === AGENT_PATHS.metrics) return handleMetrics(req, res);
    if (path === AGENT_PATHS.actions) return handleActions(req, res);
    if (path === AGENT_PATHS.configValidate) return handleConfigChange(req, res, "validate");
    if (path === AGENT_PATHS.configApply) return handleConfigChange(req, res, "apply");
    // GET: a body, if any, is neither read nor signed.
    const auth = authenticate(req, res, "");
    if (auth !== true) return unauthorized(req, res, auth.reason);
    if (path === AGENT_PATHS.stream) return handleStream(req, res);
    if (path === AGENT_PATHS.config) return handleConfigRead(res);
    const snap = await collector.current();
    sendJson(res, 200, snap);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error) => {
      log({ level: "error", msg: "request failed", path: (req.url ?? "").split("?")[0], error: (error as Error)?.message });
      if (!res.headersSent) sendJson(res, 500, { error: "internal" });
      else res.destroy();
    });
  };

  const serverOptions = { requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 65_000 };
  let server: http.Server;
  if (config.tls) {
    const [cert, key] = await Promise.all(
      (["certFile", "keyFile"] as const).map((field) =>
        readFile(config.tls![field]).catch((error: Error) => {
          throw new Error(`tls.${field}: cannot read ${config.tls![field]}: ${error.message}`);
        }),
      ),
    );
    server = https.createServer({ ...serverOptions, cert, key, minVersion: "TLSv1.2" }, listener);
  } else {
    server = http.createServer(serverOptions, listener);
  }
  // CONNECT asks for a tunnel; Node hands over the bare socket, and without this closed it unanswered.
  server.on("connect", (_req, socket: Socket) => {
    socket.on("error", () => {});
    const body = JSON.stringify({ error: "method-not-allowed", message: "CONNECT is not served: this agent is not a proxy" });
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nallow: GET, POST\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.listen.port, config.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await driver.close().catch(() => {});
    throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}`);
  }
  collector.start();
  if (metricsAccess.kind === "closed") log({ level: "info", msg: METRICS_CLOSED_MESSAGE });
  const unwatch = driver.watch?.(() => collector.refresh());

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `${config.tls ? "https" : "http"}://${hostForUrl}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    collector,
    setAuth,
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of streams) res.end();
        server.closeIdleConnections();
        // Whatever is still open after a moment (a slow action, a stuck client) is cut.
        const cut = setTimeout(() => server.closeAllConnections(), 2000);
        unwatch?.();
        await collector.stop();
        await serverClosed;
        clearTimeout(cut);
        await driver.close().catch((error: Error) => log({ level: "error", msg: "driver close failed", error: error.message }));
      })();
      return closed;
    },
  };
}
