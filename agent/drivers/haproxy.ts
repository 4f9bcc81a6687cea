// The haproxy role driver: observes and steers one HAProxy through its runtime
// API (the admin-level unix socket, "stats socket <path> level admin").
//
// One command per connection: HAProxy answers in non-interactive mode and closes,
// so a half-read answer can never be mistaken for the next command's, and a
// reloaded or restarted HAProxy needs no reconnect logic.
//
// Where each reported field comes from (HAProxy 2.6):
// - servers, frontends, sessions, rate, weight, check status: `show stat` (CSV),
//   read by header name, rows told apart by the `type` column (0 frontend,
//   1 backend aggregate, 2 server, 3 listener), never by "BACKEND"/"FRONTEND" names.
// - weight: `show stat` "weight", the weight HAProxy balances with now (the
//   user weight, or less during slow start). `set weight` changes it; drain
//   does not (drain is an admin flag, see below).
// - admin state: the srv_admin_state bits of `show servers state`, with
//   HAProxy's own masks (MAINT 0x23 = forced | inherited | DNS-resolution
//   maintenance; DRAIN 0x18 = forced | inherited drain). The status string is
//   not enough: HAProxy prints "DRAIN" only while the server is up; a drained
//   server whose checks fail shows "DOWN" and the drain would be lost, and the
//   console would then undo an operator's drain as drift. The status string is
//   the fallback only for a server missing from that answer (a reload between
//   the two commands).
// - request rates: computed here from `req_tot` deltas (./haproxy-rates.ts).
//   Debian 12's HAProxy 2.6.12 fills `req_tot` for frontends, backends and
//   servers in http mode (checked: a server's equals its hrsp_* sum under plain
//   traffic); it is one counter of requests, where hrsp_* counts answers, so it
//   is used first, and the hrsp_* sum only where a version leaves a server's
//   `req_tot` empty. In tcp mode both are empty: the rate is null, not a guess.
// - version: `show info`.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import { z } from "zod";
import { performance } from "node:perf_hooks";
import type { AgentAction, HaproxyBackend, HaproxyErrors, HaproxyServer, HaproxyStatus } from "@/lib/agent-protocol/types";
import { counterRates, requestCount, type CounterSample } from "./haproxy-rates";
import type { Registry } from "prom-client";
import { family } from "../prom";
import { ActionError, type Driver, type DriverReport } from "./types";
import { haproxyConfigManager } from "../managed/haproxy";
import { isCleanAbsolutePath } from "@/lib/agent-protocol/haproxy/rules";

const absolutePath = z
  .string()
  .max(4096)
  .refine(isCleanAbsolutePath, "must be an absolute path without '.', '..' or '//' segments")
  .refine((p) => !/\s/.test(p), "must not hold spaces");

const configSchema = z
  .strictObject({
    /** Path of HAProxy's admin-level stats socket (rendered into the configuration the console pushes, exactly). */
    socket: absolutePath.refine((p) => Buffer.byteLength(p) <= 107, "unix socket paths are at most 107 bytes"),
    /** The configuration file HAProxy runs; its sha256 is reported for drift detection. */
    configFile: absolutePath.optional(),
    /** The folder the agent may write to (the configuration, its .prev copy, scratch files). Default: configFile's folder. */
    managedDir: absolutePath.optional(),
    /**
     * What a pushed configuration may hold beyond the safe set (lib/agent-protocol/haproxy/rules/).
     * Written by the host's owner; the console can read it but never change it.
     */
    allow: z
      .strictObject({
        /** Directives as the rules key them: "lua-load", "option external-check", a section name such as "peers". */
        directives: z
          .array(
            z
              .string()
              .min(1)
              .max(100)
              .regex(/^[a-z0-9._-]+( [a-z0-9._-]+)?$/, 'a directive such as "lua-load" or "option external-check"'),
          )
          .max(200)
          .default([]),
        /** Files directives may read (certificates, error pages, maps, /dev/log): exact paths, or folders ending in "/". */
        files: z.array(absolutePath).max(200).default([]),
        /** Let HAProxy forward to link-local and cloud metadata addresses (off: those would hand out this host's cloud credentials). */
        linkLocal: z.boolean().default(false),
      })
      .prefault({}),
    /** HAProxy binary, for `haproxy -c` validation of a configuration the console deploys. */
    binary: z.string().min(1).max(4096).default("haproxy"),
    /**
     * The master's pidfile (master-worker mode). With configFile, lets the
     * console deploy configurations: written atomically, hitless reload by
     * SIGUSR2 to the master.
     */
    pidFile: absolutePath.optional(),
    /** How long a reload may take before it counts as failed and is undone. */
    reloadTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    /** Per runtime API command (connect + answer). */
    timeoutMs: z.number().int().min(50).max(60_000).default(2000),
  })
  .superRefine((c, ctx) => {
    if (c.managedDir && !c.configFile) ctx.addIssue({ code: "custom", path: ["managedDir"], message: "goes with configFile" });
    if (c.configFile && c.managedDir && path.dirname(c.configFile) !== c.managedDir.replace(/\/$/, "")) {
      ctx.addIssue({ code: "custom", path: ["configFile"], message: `must be directly in managedDir (${c.managedDir})` });
    }
  });
export type HaproxyDriverConfig = z.input<typeof configSchema>;

const SRV_ADMF_MAINT = 0x23;
const SRV_ADMF_DRAIN = 0x18;
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
// What the agent protocol allows in names; checked again here because these
// strings go into a command line on the socket.
const SAFE_NAME = /^[A-Za-z0-9._:-]{1,100}$/;

export class RuntimeApiError extends Error {
  override name = "RuntimeApiError";
}

/** Sends one command and returns HAProxy's whole answer. */
export function runtimeCommand(socketPath: string, command: string, timeoutMs: number): Promise<string> {
  if (!/^[\x20-\x7e]+$/.test(command)) {
    return Promise.reject(new RuntimeApiError("refused: a runtime API command is one line of printable ASCII"));
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(() => finish(new RuntimeApiError(`no answer to "${command.split(" ", 2).join(" ")}" within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) finish(new RuntimeApiError("answer too large"));
      else chunks.push(chunk);
    });
    socket.on("error", (err: NodeJS.ErrnoException) =>
      finish(new RuntimeApiError(`cannot reach the HAProxy runtime API at ${socketPath}: ${err.code ?? err.message}`)),
    );
    socket.on("close", () => finish(null));
  });
}

/** RFC 4180-style CSV (HAProxy quotes fields that hold commas or quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

type Row = Map<string, string>;

/** `show stat` → one Map per row, keyed by the header's column names. */
export function parseShowStat(text: string): Row[] {
  const rows = parseCsv(text);
  const header = rows.find((r) => r[0]?.startsWith("# "));
  if (!header) throw new RuntimeApiError(`unexpected "show stat" answer: ${text.slice(0, 200)}`);
  const names = header.map((h, i) => (i === 0 ? h.slice(2) : h).trim());
  return rows
    .filter((r) => r !== header && !r[0]?.startsWith("#"))
    .map((r) => new Map(names.flatMap((n, i) => (n && n !== "-" ? [[n, r[i] ?? ""] as const] : []))));
}

/** `show servers state` (format version 1: space-separated, "# " header). */
export function parseServersState(text: string): Row[] {
  const lines = text.split("\n").map((l) => l.trim());
  const headerLine = lines.find((l) => l.startsWith("# "));
  if (!headerLine) throw new RuntimeApiError(`unexpected "show servers state" answer: ${text.slice(0, 200)}`);
  const names = headerLine.slice(2).split(/\s+/);
  return lines
    .filter((l) => l && !l.startsWith("#") && /\s/.test(l))
    .map((l) => {
      const values = l.split(/\s+/);
      return new Map(names.map((n, i) => [n, values[i] ?? ""] as const));
    });
}

const int = (v: string | undefined) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};
const clamp = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
/** A counter HAProxy may leave empty (tcp mode, no check): null, not 0. */
const maybeInt = (v: string | undefined) => (v ? int(v) : null);

function errorsOf(r: Row): HaproxyErrors {
  return {
    connect: int(r.get("econ")),
    response: int(r.get("eresp")),
    retries: int(r.get("wretr")),
    redispatches: int(r.get("wredis")),
    http5xx: int(r.get("hrsp_5xx")),
  };
}

/** Where a row's request counter is kept between collections. */
const counterKey = (r: Row) => `${r.get("type")}:${r.get("pxname")}/${r.get("svname")}`;

/** This collection's `req_tot` of every frontend, backend and server. */
export function requestCounters(stat: Row[], workerPid: number | null): CounterSample {
  const rows = stat.filter((r) => ["0", "1", "2"].includes(r.get("type") ?? ""));
  return { atMs: performance.now(), workerPid, counters: new Map(rows.map((r) => [counterKey(r), requestCount((c) => r.get(c))])) };
}

type Rates = ReadonlyMap<string, number | null>;
const rateOf = (rates: Rates, r: Row) => rates.get(counterKey(r)) ?? null;

export function adminStateOf(adminBits: number | undefined, status: string): HaproxyServer["adminState"] {
  if (adminBits !== undefined) {
    if (adminBits & SRV_ADMF_MAINT) return "MAINT";
    if (adminBits & SRV_ADMF_DRAIN) return "DRAIN";
    return "READY";
  }
  if (status.startsWith("MAINT")) return "MAINT";
  if (status.startsWith("DRAIN")) return "DRAIN";
  return "READY";
}

/** Down as an operator means it: checks say so, not an admin's maintenance. */
export function isServerDown(s: Pick<HaproxyServer, "status" | "adminState">): boolean {
  return s.adminState !== "MAINT" && s.status.startsWith("DOWN");
}

function toServers(stat: Row[], state: Row[], rates: Rates = new Map()): HaproxyServer[] {
  const admin = new Map<string, number>();
  for (const r of state) admin.set(`${r.get("be_name")}/${r.get("srv_name")}`, int(r.get("srv_admin_state")));
  return stat
    .filter((r) => r.get("type") === "2")
    .map((r) => {
      const backend = r.get("pxname") ?? "";
      const name = r.get("svname") ?? "";
      const status = r.get("status") ?? "";
      return {
        backend: clamp(backend, 100),
        name: clamp(name, 100),
        address: clamp(r.get("addr") ?? "", 300),
        status: clamp(status, 40),
        adminState: adminStateOf(admin.get(`${backend}/${name}`), status),
        weight: int(r.get("weight")),
        sessions: int(r.get("scur")),
        totalSessions: int(r.get("stot")),
        rate: int(r.get("rate")),
        // "* L7OK": a check is running right now; the result is the same.
        checkStatus: clamp((r.get("check_status") ?? "").replace(/^\* /, ""), 40),
        maxSessions: int(r.get("smax")),
        requestRate: rateOf(rates, r),
        checkDurationMs: maybeInt(r.get("check_duration")),
        checkDetail: clamp(r.get("last_chk") || r.get("check_desc") || "", 200),
        sinceChangeSeconds: maybeInt(r.get("lastchg")),
        errors: errorsOf(r),
      };
    });
}

function toBackends(stat: Row[], rates: Rates): HaproxyBackend[] {
  return stat
    .filter((r) => r.get("type") === "1")
    .map((r) => ({
      name: clamp(r.get("pxname") ?? "", 100),
      status: clamp(r.get("status") ?? "", 40),
      sessions: int(r.get("scur")),
      maxSessions: int(r.get("smax")),
      requestRate: rateOf(rates, r),
      weight: int(r.get("weight")),
      errors: errorsOf(r),
    }));
}

export function createHaproxyDriver(rawConfig: unknown): Driver {
  const parsed = configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`invalid haproxy driver config: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const send = (command: string) => runtimeCommand(config.socket, command, config.timeoutMs);
  let last: DriverReport | null = null;
  let previousCounters: CounterSample | null = null;

  async function readServers(): Promise<{ servers: HaproxyServer[]; backends: Set<string> }> {
    const [stat, state] = await Promise.all([send("show stat"), send("show servers state")]);
    const rows = parseShowStat(stat);
    const backends = new Set(rows.filter((r) => r.get("type") === "1").map((r) => r.get("pxname") ?? ""));
    return { servers: toServers(rows, parseServersState(state)), backends };
  }

  async function configChecksum(): Promise<{ checksum: string | null; problem?: string }> {
    if (!config.configFile) return { checksum: null };
    try {
      return {
        checksum: createHash("sha256")
          .update(await readFile(config.configFile))
          .digest("hex"),
      };
    } catch (error) {
      return { checksum: null, problem: `cannot read ${config.configFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
  }

  async function collect(): Promise<DriverReport> {
    const checksum = await configChecksum();
    let status: HaproxyStatus;
    try {
      const [info, stat, state] = await Promise.all([send("show info"), send("show stat"), send("show servers state")]);
      const rows = parseShowStat(stat);
      // Changes on every reload or restart: the console then puts runtime overrides back.
      const workerPid = Number(/^Pid:\s*(\d+)/m.exec(info)?.[1]) || null;
      const counters = requestCounters(rows, workerPid);
      const rates = counterRates(previousCounters, counters);
      previousCounters = counters;
      status = {
        version: clamp(/^Version:\s*(\S+)/m.exec(info)?.[1] ?? "", 40) || null,
        workerPid,
        servers: toServers(rows, parseServersState(state), rates),
        backends: toBackends(rows, rates),
        frontends: rows
          .filter((r) => r.get("type") === "0")
          .map((r) => ({
            name: clamp(r.get("pxname") ?? "", 100),
            sessions: int(r.get("scur")),
            rate: int(r.get("rate")),
            maxSessions: int(r.get("smax")),
            requestRate: rateOf(rates, r),
          })),
        configChecksum: checksum.checksum,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      last = {
        health: "DOWN",
        reasons: [clamp(reason, 300)],
        haproxy: { version: null, servers: [], frontends: [], configChecksum: checksum.checksum },
      };
      return last;
    }
    const reasons: string[] = [];
    const down = status.servers.filter(isServerDown);
    if (down.length > 0) {
      const names = down.map((s) => `${s.backend}/${s.name}${s.checkStatus ? ` (${s.checkStatus})` : ""}`);
      reasons.push(clamp(`server${down.length > 1 ? "s" : ""} DOWN: ${names.join(", ")}`, 300));
    }
    if (checksum.problem) reasons.push(clamp(checksum.problem, 300));
    last = { health: reasons.length > 0 ? "DEGRADED" : "UP", reasons, haproxy: status };
    return last;
  }

  async function act(action: AgentAction): Promise<unknown> {
    if (action.action !== "haproxy.set-state" && action.action !== "haproxy.set-weight") {
      throw new ActionError(422, `the haproxy driver does not take "${action.action}"`);
    }
    const { backend, server } = action;
    if (!SAFE_NAME.test(backend) || !SAFE_NAME.test(server)) {
      throw new ActionError(422, "backend and server names may only hold letters, digits and . _ : -");
    }
    let servers: HaproxyServer[];
    let backends: Set<string>;
    try {
      ({ servers, backends } = await readServers());
    } catch (error) {
      throw new ActionError(502, error instanceof Error ? error.message : String(error));
    }
    if (!backends.has(backend)) {
      throw new ActionError(422, `HAProxy has no backend "${backend}"`);
    }
    if (!servers.some((s) => s.backend === backend && s.name === server)) {
      throw new ActionError(422, `backend "${backend}" has no server "${server}"`);
    }
    let command: string;
    if (action.action === "haproxy.set-state") {
      if (!["ready", "drain", "maint"].includes(action.state)) throw new ActionError(422, "state must be ready, drain or maint");
      command = `set server ${backend}/${server} state ${action.state}`;
    } else {
      if (!Number.isInteger(action.weight) || action.weight < 0 || action.weight > 256) {
        throw new ActionError(422, "weight must be an integer from 0 to 256");
      }
      command = `set server ${backend}/${server} weight ${action.weight}`;
    }
    let answer: string;
    try {
      answer = await send(command);
    } catch (error) {
      throw new ActionError(502, error instanceof Error ? error.message : String(error));
    }
    // Success is a bare newline; anything else is HAProxy saying why not. Not
    // even the newline: the connection died, and whether the command took is unknown.
    if (answer === "")
      throw new ActionError(502, `HAProxy closed the runtime API connection without answering "${command}"; it may or may not have been applied`);
    if (answer.trim() !== "") throw new ActionError(502, `HAProxy refused "${command}": ${clamp(answer.trim(), 300)}`);
    const after = (await readServers().catch(() => null))?.servers.find((s) => s.backend === backend && s.name === server);
    return { ok: true, server: after ?? null };
  }

  function metrics(registry: Registry): void {
    if (!last) return;
    family(registry, "clusterdeck_haproxy_up", "gauge", "1 when the HAProxy runtime API answered the last collection.", last.health === "DOWN" ? 0 : 1);
    const servers = "haproxy" in last ? last.haproxy.servers : [];
    if (servers.length === 0) return;
    const labels = (s: HaproxyServer) => ({ backend: s.backend, server: s.name });
    family(
      registry,
      "clusterdeck_haproxy_server_up",
      "gauge",
      "1 when HAProxy's checks see the server up (UP, DRAIN, NOLB, no check); 0 when DOWN or in maintenance.",
      servers.map((s) => ({ labels: labels(s), value: s.status.startsWith("DOWN") || s.status.startsWith("MAINT") ? 0 : 1 })),
    );
    family(
      registry,
      "clusterdeck_haproxy_server_sessions",
      "gauge",
      "Current sessions on the server.",
      servers.map((s) => ({ labels: labels(s), value: s.sessions })),
    );
    family(
      registry,
      "clusterdeck_haproxy_server_weight",
      "gauge",
      "Current effective weight of the server.",
      servers.map((s) => ({ labels: labels(s), value: s.weight })),
    );
    family(
      registry,
      "clusterdeck_haproxy_server_admin_state",
      "gauge",
      "Administrative state of the server, one series per state (1 for the current one).",
      servers.flatMap((s) =>
        (["READY", "DRAIN", "MAINT"] as const).map((state) => ({ labels: { ...labels(s), state }, value: s.adminState === state ? 1 : 0 })),
      ),
    );
  }

  return {
    role: "haproxy",
    collect,
    act,
    metrics,
    config:
      config.configFile && config.pidFile
        ? haproxyConfigManager({
            configFile: config.configFile,
            pidFile: config.pidFile,
            binary: config.binary,
            command: send,
            reloadTimeoutMs: config.reloadTimeoutMs,
            policy: {
              runtime: { statsSocket: config.socket, pidFile: config.pidFile },
              directives: config.allow.directives,
              files: config.allow.files,
              linkLocal: config.allow.linkLocal,
            },
          })
        : undefined,
    async close() {
      // Nothing held open between commands.
    },
  };
}
