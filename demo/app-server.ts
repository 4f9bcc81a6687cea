// The demo application server: three of these run behind HAProxy in the demo
// cluster and in tests, each beside an app agent.
//
//   node --import tsx demo/app-server.ts --port 9001 --name app-1 [--db postgresql://…]
//
// Sticky sessions: a random `SID` cookie and an in-memory session table with
// an idle expiry, so active sessions rise and fall. While draining, a request
// without a live session gets 503 + Retry-After (HAProxy retries it on another
// node) and existing sessions are still served until they expire.
//
//   GET  /             the node's name and this session's hit count
//   POST /write        with a database: inserts a row into `writes`, returns its id
//   GET  /health       200, or 503 while shutting down
//   GET  /stats        { sessions, requests, errors, latencyMs, draining, … } for the app driver
//   POST /admin/drain | /admin/resume | /admin/db {url}     loopback only
//   POST /admin/end-sessions   forget every session (a drain's last resort)
//   POST /admin/hold-writes {ms} | /admin/release-writes   writes wait (bounded)
//                        through a planned switchover instead of failing
//   POST /admin/reload   re-read the settings file (--settings FILE), as the
//                        app agent asks after the console deploys new settings
import { randomBytes } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { appSettings, type AppSettings } from "@/lib/agent-protocol/config/app-settings";
import { APP_HOLD_MAX_MS } from "@/lib/agent-protocol/types";
import { brokenBySwitch, WriteHold } from "./write-hold";

export type AppServerOptions = {
  port: number;
  name: string;
  host?: string;
  dbUrl?: string;
  /** A session unused this long is forgotten. Default 60 s. */
  sessionIdleMs?: number;
  /**
   * JSON settings (lib/agent-protocol/config/app-settings.ts) read at start and on POST
   * /admin/reload: the database URL and session idle time. They win over
   * dbUrl and sessionIdleMs.
   */
  settingsFile?: string;
  /** Seconds in the Retry-After of a refused new session while draining. */
  retryAfterSeconds?: number;
};

export type AppServer = {
  url: string;
  port: number;
  /** Fails /health for graceMs (so load balancers stop sending), then closes. */
  close(opts?: { graceMs?: number }): Promise<void>;
};

type Session = { hits: number; lastSeen: number };

const SID = /^[A-Za-z0-9_-]{22}$/;
const LATENCY_WINDOW = 200;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

function cookieSid(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === "SID" && v && SID.test(v)) return v;
  }
  return undefined;
}

/**
 * Loopback, and not relayed: HAProxy on the same host connects from loopback
 * too, so a request carrying forwarding headers came from somewhere else.
 */
function isLocalAdmin(req: IncomingMessage): boolean {
  const addr = req.socket.remoteAddress ?? "";
  const loopback = addr === "::1" || addr.startsWith("127.") || addr.startsWith("::ffff:127.");
  const relayed = req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined || req.headers["x-real-ip"] !== undefined;
  return loopback && !relayed;
}

async function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  let text = "";
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length > limit) throw new Error(`body larger than ${limit} bytes`);
  }
  return text.trim() ? JSON.parse(text) : {};
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid)";
  }
}

/** The database side: one pool at a time, swapped whole when the primary moves. */
class Writes {
  private pool: pg.Pool | undefined;
  private ready: Promise<void> | undefined;
  url: string | undefined;

  use(url: string | undefined): void {
    const old = this.pool;
    this.url = url;
    this.ready = undefined;
    this.pool = url ? new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 3000, query_timeout: 5000 }) : undefined;
    this.pool?.on("error", () => {}); // an idle client dropped by the server; the next query reconnects
    // From here on nothing is written through the old pool (it may be a fenced primary).
    void old?.end().catch(() => {});
  }

  private ensureTable(pool: pg.Pool): Promise<void> {
    this.ready ??= pool
      .query(
        "CREATE TABLE IF NOT EXISTS writes (id bigserial PRIMARY KEY, node text NOT NULL, session text, payload text, created_at timestamptz NOT NULL DEFAULT now())",
      )
      .then(
        () => undefined,
        (error: { code?: string }) => {
          // Another node created it at the same moment.
          if (error.code === "23505" || error.code === "42P07") return;
          this.ready = undefined;
          throw error;
        },
      );
    return this.ready;
  }

  async insert(node: string, session: string, payload: string | null): Promise<string> {
    const pool = this.pool;
    if (!pool) throw new Error("no database configured");
    await this.ensureTable(pool);
    const { rows } = await pool.query<{ id: string }>("INSERT INTO writes (node, session, payload) VALUES ($1, $2, $3) RETURNING id", [node, session, payload]);
    return rows[0]!.id;
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => {});
    this.pool = undefined;
  }
}

export async function startAppServer(opts: AppServerOptions): Promise<AppServer> {
  const node = opts.name;
  let idleMs = opts.sessionIdleMs ?? 60_000;
  const retryAfter = String(opts.retryAfterSeconds ?? 1);
  const sessions = new Map<string, Session>();
  const latencies: number[] = [];
  const writes = new Writes();
  writes.use(opts.dbUrl);
  const hold = new WriteHold();
  /** Applies the settings file; a missing or invalid file changes nothing and says why. */
  async function loadSettings(): Promise<{ ok: true; settings: AppSettings } | { ok: false; error: string }> {
    if (!opts.settingsFile) return { ok: false, error: "this app server was started without --settings" };
    let parsed;
    try {
      parsed = appSettings.safeParse(JSON.parse(await readFile(opts.settingsFile, "utf8")));
    } catch (error) {
      return { ok: false, error: `cannot read ${opts.settingsFile}: ${(error as Error).message}` };
    }
    if (!parsed.success) return { ok: false, error: `invalid settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
    const settings = parsed.data;
    if (settings.database.url !== writes.url) writes.use(settings.database.url);
    idleMs = settings.sessionIdleSeconds * 1000;
    return { ok: true, settings };
  }
  if (opts.settingsFile && existsSync(opts.settingsFile)) {
    const loaded = await loadSettings();
    if (!loaded.ok) throw new Error(loaded.error);
  }
  let requests = 0;
  let errors = 0;
  let refused = 0;
  let draining = false;
  let shuttingDown = false;
  const started = Date.now();

  const sweep = () => {
    const now = Date.now();
    for (const [sid, s] of sessions) if (now - s.lastSeen >= idleMs) sessions.delete(sid);
  };
  const sweeper = setInterval(sweep, Math.min(idleMs, 5000));
  sweeper.unref();

  /** The request's live session, a new one, or undefined when draining refuses a new one. */
  function session(req: IncomingMessage, res: ServerResponse): { sid: string; s: Session } | undefined {
    const now = Date.now();
    const sid = cookieSid(req);
    const existing = sid ? sessions.get(sid) : undefined;
    if (sid && existing && now - existing.lastSeen < idleMs) {
      existing.lastSeen = now;
      existing.hits++;
      return { sid, s: existing };
    }
    if (sid) sessions.delete(sid);
    if (draining) return undefined;
    const fresh = randomBytes(16).toString("base64url");
    const s = { hits: 1, lastSeen: now };
    sessions.set(fresh, s);
    res.setHeader("set-cookie", `SID=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return { sid: fresh, s };
  }

  async function appRoute(req: IncomingMessage, res: ServerResponse, path: string) {
    requests++;
    const t0 = performance.now();
    let drainRefusal = false;
    res.on("finish", () => {
      latencies.push(performance.now() - t0);
      if (latencies.length > LATENCY_WINDOW) latencies.shift();
      // A drain refusal is the drain working, not an error.
      if (res.statusCode >= 500 && !drainRefusal) errors++;
    });
    const current = session(req, res);
    if (!current) {
      refused++;
      drainRefusal = true;
      return sendJson(res, 503, { error: "draining", node }, { "retry-after": retryAfter });
    }
    if (path === "/") return sendJson(res, 200, { node, hits: current.s.hits });
    // POST /write
    if (!writes.url) return sendJson(res, 409, { error: "no database configured", node });
    let payload: string | null = null;
    try {
      const body = (await readJson(req)) as { payload?: unknown };
      if (body.payload !== undefined) payload = String(body.payload);
    } catch (error) {
      return sendJson(res, 400, { error: (error as Error).message, node });
    }
    const held = hold.pass();
    const heldFrom = held ? performance.now() : 0;
    await held;
    try {
      const id = await writes.insert(node, current.sid, payload).catch(async (error: unknown) => {
        // Broken by the switch while it is held: once more, after the release, on the new primary.
        const again = hold.active && brokenBySwitch(error) ? hold.pass() : undefined;
        if (!again) throw error;
        await again;
        return writes.insert(node, current.sid, payload);
      });
      sendJson(res, 201, { id, node });
    } catch (error) {
      const waited = held ? ` (after waiting ${Math.round(performance.now() - heldFrom)} ms in a write hold)` : "";
      sendJson(res, 503, { error: `database unavailable${waited}: ${(error as Error).message}`, node });
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string) {
    if (!isLocalAdmin(req)) return sendJson(res, 403, { error: "admin endpoints answer loopback only" });
    if (path === "/admin/drain") draining = true;
    else if (path === "/admin/resume") draining = false;
    else if (path === "/admin/end-sessions") {
      const ended = sessions.size;
      sessions.clear();
      return sendJson(res, 200, { node, ended });
    } else if (path === "/admin/hold-writes") {
      let ms: unknown;
      try {
        ms = ((await readJson(req)) as { ms?: unknown }).ms;
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
      if (!Number.isInteger(ms) || (ms as number) < 1 || (ms as number) > APP_HOLD_MAX_MS)
        return sendJson(res, 400, { error: `ms must be a whole number of milliseconds, 1-${APP_HOLD_MAX_MS}` });
      hold.hold(ms as number);
      return sendJson(res, 200, { node, holdingMs: ms, held: hold.waiting });
    } else if (path === "/admin/release-writes") {
      return sendJson(res, 200, { node, released: hold.release() });
    } else if (path === "/admin/reload") {
      const loaded = await loadSettings();
      if (!loaded.ok) return sendJson(res, 422, { error: loaded.error, node });
      return sendJson(res, 200, { node, db: redact(loaded.settings.database.url), sessionIdleSeconds: loaded.settings.sessionIdleSeconds });
    } else {
      let url: unknown;
      try {
        url = ((await readJson(req)) as { url?: unknown }).url;
      } catch (error) {
        return sendJson(res, 400, { error: (error as Error).message });
      }
      if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) return sendJson(res, 400, { error: "url must be a postgresql:// URL" });
      writes.use(url);
      return sendJson(res, 200, { node, db: redact(url) });
    }
    sendJson(res, 200, { node, draining });
  }

  const routes: Record<string, "GET" | "POST"> = {
    "/": "GET",
    "/write": "POST",
    "/health": "GET",
    "/stats": "GET",
    "/admin/drain": "POST",
    "/admin/resume": "POST",
    "/admin/db": "POST",
    "/admin/reload": "POST",
    "/admin/end-sessions": "POST",
    "/admin/hold-writes": "POST",
    "/admin/release-writes": "POST",
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const method = routes[path];
    if (!method) return sendJson(res, 404, { error: "not found", node });
    if (req.method !== method) return sendJson(res, 405, { error: "method not allowed", node }, { allow: method });
    const done = (error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: error.message, node });
    };
    if (path === "/health") return sendJson(res, shuttingDown ? 503 : 200, { status: shuttingDown ? "shutting-down" : "ok", node, draining });
    if (path === "/stats") {
      sweep();
      const latencyMs = latencies.length ? Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 100) / 100 : null;
      return sendJson(res, 200, {
        node,
        sessions: sessions.size,
        requests,
        errors,
        refused,
        latencyMs,
        draining,
        held: hold.waiting,
        holdRemainingMs: hold.remainingMs(),
        heldPastBound: hold.expired,
        db: writes.url ? redact(writes.url) : null,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      });
    }
    if (path.startsWith("/admin/")) return void admin(req, res, path).catch(done);
    void appRoute(req, res, path).catch(done);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    close({ graceMs = 0 } = {}) {
      closing ??= (async () => {
        shuttingDown = true;
        if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
        clearInterval(sweeper);
        hold.release();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await writes.close();
      })();
      return closing;
    },
  };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      name: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      settings: { type: "string" },
      "session-idle-ms": { type: "string" },
      "shutdown-grace-ms": { type: "string" },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !values.name) {
    process.stderr.write(
      "Usage: node --import tsx demo/app-server.ts --port 9001 --name app-1 [--host 127.0.0.1] [--db postgresql://…] [--settings FILE] [--session-idle-ms 60000] [--shutdown-grace-ms 1000]\n",
    );
    process.exit(2);
  }
  const app = await startAppServer({
    port,
    name: values.name,
    host: values.host,
    dbUrl: values.db,
    settingsFile: values.settings,
    sessionIdleMs: values["session-idle-ms"] ? Number(values["session-idle-ms"]) : undefined,
  });
  process.stdout.write(JSON.stringify({ msg: "app server listening", node: values.name, url: app.url, pid: process.pid }) + "\n");
  const graceMs = values["shutdown-grace-ms"] ? Number(values["shutdown-grace-ms"]) : 1000;
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(0); // a second signal: do not wait for the grace period
    stopping = true;
    void app.close({ graceMs }).then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  cli().catch((error: Error) => {
    process.stderr.write(`app-server: ${error.message}\n`);
    process.exit(1);
  });
}
