// One live channel to one agent: a signed GET /v1/stream that the agent keeps
// open, writing a snapshot line every interval. A crashed agent is noticed
// when the connection breaks (and the reconnect is refused), a hung one when
// no line arrives within the heartbeat timeout. Every line is validated; a
// garbled or hostile answer counts as a failure, never as data, and a refusal
// is reported by its status line: the body of something that is not the agent
// never becomes a health reason. The address is checked by the destination
// guard at every (re)connect, on what the name resolves to then.
import http from "node:http";
import https from "node:https";
import { readRefusal } from "@/lib/agent-protocol/answer";
import { ANSWER_SIGNATURE_HEADER, newNonce, signRequest } from "@/lib/agent-protocol/signing";
import { AGENT_PATHS, snapshot as snapshotSchema, type Snapshot } from "@/lib/agent-protocol/types";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { guardedConnectOptions, STRICT_DESTINATIONS, type DestinationPolicy } from "@/lib/net/destination-guard";
import { HEARTBEAT_TIMEOUT_MS } from "@/lib/agents/timing";

export type AgentEndpoint = { agentUrl: string; keyId: string; secret: string };

export type ConnectionEvent = { kind: "snapshot"; snapshot: Snapshot; receivedAt: number } | { kind: "failure"; reason: string; at: number };

export type ConnectionOptions = {
  heartbeatTimeoutMs: number;
  /** First retry after a break is immediate; then backoff doubles up to this. */
  maxBackoffMs: number;
  maxLineBytes: number;
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
  /** The admin's link-local setting, read at each connect (the monitor keeps it fresh); strict when absent. */
  destinations?: () => DestinationPolicy;
};

/** A refusal's body is read this far, enough for any signed agent answer; a longer one is not the agent's. */
const MAX_REFUSAL_BYTES = 16 * 1024;

export const defaultConnectionOptions: ConnectionOptions = { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, maxBackoffMs: 5000, maxLineBytes: 1 << 20 };

export class AgentConnection {
  private request: http.ClientRequest | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 0;
  private stopped = false;
  private generation = 0;
  /** When the current heartbeat deadline was set; data arriving later re-arms it. */
  private armedAt = 0;

  constructor(
    private endpoint: AgentEndpoint,
    private readonly onEvent: (event: ConnectionEvent) => void,
    private readonly options: ConnectionOptions = defaultConnectionOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.teardown();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  /** New address or credential: reconnect with it. */
  update(endpoint: AgentEndpoint): void {
    this.endpoint = endpoint;
    this.teardown();
    this.backoffMs = 0;
    if (!this.stopped) this.connect();
  }

  private connect(): void {
    const generation = ++this.generation;
    const url = new URL(AGENT_PATHS.stream, this.endpoint.agentUrl);
    const nonce = newNonce();
    const authorization = signRequest({
      keyId: this.endpoint.keyId,
      secret: this.endpoint.secret,
      method: "GET",
      pathWithQuery: url.pathname + url.search,
      nonce,
    });
    const lib = url.protocol === "https:" ? https : http;
    const fail = (reason: string) => {
      if (generation !== this.generation || this.stopped) return;
      this.teardown();
      this.onEvent({ kind: "failure", reason, at: Date.now() });
      this.scheduleReconnect();
    };
    let lookup: ReturnType<typeof guardedConnectOptions>["lookup"];
    try {
      ({ lookup } = guardedConnectOptions(url.hostname, this.options.destinations ?? (() => STRICT_DESTINATIONS)));
    } catch (error) {
      // A forbidden literal address: nothing is sent; say so like any other failure (and retry, in case the setting changes).
      setImmediate(() => fail((error as Error).message));
      return;
    }
    const req = lib.request(url, {
      method: "GET",
      headers: { authorization, accept: "application/x-ndjson" },
      agent: false,
      lookup,
      ...(url.protocol === "https:" ? { ca: this.options.tls?.ca, rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true } : {}),
    });
    this.request = req;
    this.armHeartbeat(() => fail(`no answer within ${this.options.heartbeatTimeoutMs} ms (agent hung?)`));
    req.on("error", (error: NodeJS.ErrnoException) => fail(describeError(error)));
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REFUSAL_BYTES) chunks.push(chunk);
        });
        res.on("end", () => {
          const body = size <= MAX_REFUSAL_BYTES ? Buffer.concat(chunks) : Buffer.alloc(0);
          const refusal = readRefusal({
            status: res.statusCode ?? 0,
            body,
            signature: res.headers[ANSWER_SIGNATURE_HEADER],
            secret: this.endpoint.secret,
            nonce,
          });
          fail(`agent answered ${refusal.text}`);
        });
        return;
      }
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        if (buffer.length > this.options.maxLineBytes) return fail("agent sent an oversized line");
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() === "") continue;
          const parsed = parseLine(line);
          if (!parsed.ok) return fail(parsed.reason);
          this.backoffMs = 0;
          this.armHeartbeat(() => fail(`no snapshot for ${this.options.heartbeatTimeoutMs} ms (agent hung?)`));
          this.onEvent({ kind: "snapshot", snapshot: parsed.snapshot, receivedAt: Date.now() });
        }
      });
      res.on("end", () => fail("agent closed the stream"));
      res.on("error", (error) => fail(describeError(error)));
    });
    req.end();
  }

  /**
   * A late heartbeat is only the agent's fault if this process was awake to
   * hear it. After the worker itself stalls (GC pause, SIGSTOP, an
   * overloaded host) every deadline expires at once, and Node runs timers
   * before it reads the sockets that hold the snapshots sent meanwhile. So
   * an expired deadline is judged one turn later (setImmediate runs after
   * the I/O poll), and a deadline that fired far later than scheduled gives
   * the agent a fresh timeout instead of a failure.
   */
  private armHeartbeat(onTimeout: () => void) {
    if (this.heartbeat) clearTimeout(this.heartbeat);
    const armedAt = (this.armedAt = performance.now());
    const timeoutMs = this.options.heartbeatTimeoutMs;
    const generation = this.generation;
    this.heartbeat = setTimeout(() => {
      const lateMs = performance.now() - armedAt - timeoutMs;
      setImmediate(() => {
        // Re-armed by data read in this turn, or torn down meanwhile.
        if (this.armedAt !== armedAt || this.generation !== generation) return;
        if (lateMs > Math.min(1000, timeoutMs / 2)) this.armHeartbeat(onTimeout);
        else onTimeout();
      });
    }, timeoutMs);
    this.heartbeat.unref?.();
  }

  private teardown() {
    this.generation++;
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.heartbeat = null;
    this.request?.destroy();
    this.request = null;
  }

  private scheduleReconnect() {
    if (this.stopped || this.retry) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(Math.max(250, this.backoffMs * 2), this.options.maxBackoffMs);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) this.connect();
    }, wait);
  }
}

function parseLine(line: string): { ok: true; snapshot: Snapshot } | { ok: false; reason: string } {
  // A host's root may own the agent, not the console: nothing it sends may
  // nest past the stack or carry text PostgreSQL refuses (events store it as json).
  const parsed = parseUntrustedJson(line, "snapshot");
  if (!parsed.ok)
    return {
      ok: false,
      reason: parsed.refusal.kind === "syntax" ? "agent sent a line that is not JSON" : `agent sent an invalid snapshot (${parsed.refusal.message})`,
    };
  const result = snapshotSchema.safeParse(parsed.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `agent sent an invalid snapshot (${issue?.path.join(".") || "root"}: ${issue?.message})` };
  }
  return { ok: true, snapshot: result.data };
}

function describeError(error: NodeJS.ErrnoException): string {
  if (error.code === "ECONNREFUSED") return "connection refused (agent not running?)";
  if (error.code === "ECONNRESET") return "connection reset";
  if (error.code === "ETIMEDOUT") return "connection timed out";
  if (error.code === "EHOSTUNREACH") return "host unreachable";
  return error.message || String(error.code);
}
