/**
 * A real HAProxy on loopback, for tests and the demo cluster.
 *
 *   const lb = await startHaproxy({
 *     dir,                                   // optional: a temp dir is made (and removed by stop())
 *     frontendPort: 8080,                    // optional: a free port is picked
 *     backends: [{ name: "app", servers: [{ name: "app1", host: "127.0.0.1", port: 9001 }] }],
 *     stickyCookie: "SERVERID",              // optional: cookie-based sticky sessions
 *     checkIntervalMs: 200,                  // optional: HAProxy's default (2 s) otherwise
 *   });
 *   lb.url, lb.socketPath, lb.configFile, lb.pid
 *   await lb.reload();                       // hitless: validates, then SIGUSR2 to the master
 *   await lb.stop();
 *
 * What it runs: `haproxy -W -f <dir>/haproxy.cfg` as a child process (master-worker
 * mode, in the foreground: never daemonised, so it dies with its owner). The
 * config has an admin-level runtime API socket at `<dir>/admin.sock`, which is
 * what the agent's haproxy driver talks to, with `expose-fd listeners` so a
 * reload hands the listening sockets over to the new worker without refusing
 * connections. Backend servers are checked with `GET /health`, `fall 3 rise 2`.
 *
 * The first backend is the frontend's default; another one is chosen by sending
 * the request header `X-Lab-Backend: <name>`.
 *
 * Also a plain script: `node --import tsx lab/haproxy.ts <port>...` balances over
 * the given local ports until Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import { makeLabDir, removeDir } from "./dirs";
import { freePort } from "./ports";
import { LabError, clip, isolatedEnv, onProcessExit, runChecked, signal, waitFor } from "./process";

export interface LabServer {
  name: string;
  host: string;
  port: number;
  weight?: number;
  backup?: boolean;
}

export interface LabBackend {
  name: string;
  servers: LabServer[];
  /** Load-balancing algorithm (default roundrobin). Static ones refuse most runtime weight changes. */
  balance?: "roundrobin" | "static-rr" | "leastconn" | "first" | "source";
}

export interface HaproxyOptions {
  /** Folder for the config, socket, pid file. Created (and removed on stop) when not given. */
  dir?: string;
  /** Port of the HTTP frontend on 127.0.0.1; a free one when not given. */
  frontendPort?: number;
  backends: LabBackend[];
  /** Name of the cookie HAProxy inserts for sticky sessions (`cookie <name> insert indirect nocache`). */
  stickyCookie?: string;
  /** Health-check interval (`inter`); HAProxy's default 2 s when not given. */
  checkIntervalMs?: number;
  /** Path or name of the haproxy binary (default "haproxy" on PATH). */
  binary?: string;
  /** How long to wait for the runtime API socket after start (default 15 s). */
  startTimeoutMs?: number;
}

export interface HaproxyHandle {
  dir: string;
  socketPath: string;
  configFile: string;
  /** pid of the master process. */
  pid: number;
  frontendPort: number;
  /** http://127.0.0.1:<frontendPort> */
  url: string;
  /** pid of the worker currently serving (changes on reload). */
  workerPid(): Promise<number>;
  /**
   * Hitless reload of `configFile` (rewrite it first to change the config):
   * validated with `haproxy -c`, then SIGUSR2 to the master; resolves when the
   * new worker answers on the runtime API. Returns the new worker's pid.
   */
  reload(): Promise<number>;
  /** Sends one runtime API command and returns HAProxy's answer. */
  command(cmd: string): Promise<string>;
  /** Last lines HAProxy wrote on stdout/stderr (warnings such as "Server app/app1 is DOWN"). */
  output(): string;
  stop(): Promise<void>;
}

const BALANCE: readonly string[] = ["roundrobin", "static-rr", "leastconn", "first", "source"];
const NAME = /^[A-Za-z0-9._:-]{1,100}$/;
const HOST = /^[A-Za-z0-9.:[\]-]{1,253}$/;
// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH = 107;

export function renderHaproxyConfig(opts: {
  dir: string;
  frontendPort: number;
  backends: LabBackend[];
  stickyCookie?: string;
  checkIntervalMs?: number;
}): string {
  if (opts.backends.length === 0) throw new LabError("startHaproxy: at least one backend is needed");
  for (const b of opts.backends) {
    if (!NAME.test(b.name)) throw new LabError(`startHaproxy: bad backend name ${JSON.stringify(b.name)}`);
    if (b.balance !== undefined && !BALANCE.includes(b.balance)) throw new LabError(`startHaproxy: bad balance ${JSON.stringify(b.balance)}`);
    for (const s of b.servers) {
      if (!NAME.test(s.name)) throw new LabError(`startHaproxy: bad server name ${JSON.stringify(s.name)}`);
      if (!HOST.test(s.host)) throw new LabError(`startHaproxy: bad host ${JSON.stringify(s.host)}`);
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw new LabError(`startHaproxy: bad port ${s.port}`);
      if (s.weight !== undefined && (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 256)) {
        throw new LabError(`startHaproxy: weight of ${s.name} must be an integer 0-256`);
      }
    }
  }
  if (opts.stickyCookie !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(opts.stickyCookie)) {
    throw new LabError(`startHaproxy: bad cookie name ${JSON.stringify(opts.stickyCookie)}`);
  }
  const [first, ...others] = opts.backends;
  const lines = [
    "# Written by lab/haproxy.ts",
    "global",
    "    master-worker",
    `    pidfile ${opts.dir}/haproxy.pid`,
    `    stats socket ${opts.dir}/admin.sock mode 600 level admin expose-fd listeners`,
    "    stats timeout 30s",
    "",
    "defaults",
    "    mode http",
    "    timeout connect 2s",
    "    timeout client 30s",
    "    timeout server 30s",
    "    timeout http-request 10s",
    // Without it a check must answer within `inter`: with a fast interval, a
    // busy machine (a test run) would mark healthy servers DOWN. A refused
    // connection still fails a check at once.
    "    timeout check 2s",
    "",
    "frontend fe",
    `    bind 127.0.0.1:${opts.frontendPort}`,
    // App servers trust loopback for their admin endpoints (drain, resume, re-point the
    // database); HAProxy also connects from loopback, so clients must not reach them through it.
    "    http-request deny deny_status 403 if { path_beg /admin }",
    ...others.map((b) => `    use_backend ${b.name} if { req.hdr(x-lab-backend) -m str ${b.name} }`),
    `    default_backend ${first!.name}`,
  ];
  for (const b of opts.backends) {
    lines.push(
      "",
      `backend ${b.name}`,
      `    balance ${b.balance ?? "roundrobin"}`,
      ...(opts.stickyCookie ? [`    cookie ${opts.stickyCookie} insert indirect nocache`] : []),
      "    option httpchk GET /health",
      `    default-server ${opts.checkIntervalMs ? `inter ${Math.max(1, Math.round(opts.checkIntervalMs))}ms ` : ""}fall 3 rise 2`,
      ...b.servers.map((s) =>
        [
          `    server ${s.name} ${s.host.includes(":") && !s.host.startsWith("[") ? `[${s.host}]` : s.host}:${s.port} check`,
          s.weight !== undefined ? `weight ${s.weight}` : "",
          s.backup ? "backup" : "",
          opts.stickyCookie ? `cookie ${s.name}` : "",
        ]
          .filter(Boolean)
          .join(" "),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** One runtime API command over the unix socket (HAProxy answers and closes). */
export function haproxyCommand(socketPath: string, cmd: string, timeoutMs = 5000): Promise<string> {
  if (/[\r\n]/.test(cmd)) return Promise.reject(new LabError("runtime API commands are one line"));
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LabError(`no answer from ${socketPath} to "${cmd}" within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${cmd}\n`));
    socket.on("data", (d: string) => (answer += d));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

async function workerPidOf(socketPath: string): Promise<number> {
  const info = await haproxyCommand(socketPath, "show info", 2000);
  const pid = /^Pid:\s*(\d+)/m.exec(info)?.[1];
  if (!pid) throw new LabError(`unexpected "show info" answer: ${clip(info, 300)}`);
  return Number(pid);
}

export async function startHaproxy(opts: HaproxyOptions): Promise<HaproxyHandle> {
  // A port picked here may be taken by someone else before HAProxy binds it: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHaproxyOnce(opts);
    } catch (error) {
      const portTaken = error instanceof Error && /cannot bind socket/.test(error.message);
      if (opts.frontendPort !== undefined || !portTaken || attempt >= 3) throw error;
    }
  }
}

async function startHaproxyOnce(opts: HaproxyOptions): Promise<HaproxyHandle> {
  const binary = opts.binary ?? "haproxy";
  const ownDir = !opts.dir;
  const dir = path.resolve(opts.dir ?? (await makeLabDir("haproxy")));
  const socketPath = path.join(dir, "admin.sock");
  const configFile = path.join(dir, "haproxy.cfg");
  const missingHint = "HAProxy is not installed: apt-get install haproxy";
  const frontendPort = opts.frontendPort ?? (await freePort());
  try {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      throw new LabError(`startHaproxy: ${socketPath} is too long for a unix socket; use a shorter dir`);
    }
    await writeFile(configFile, renderHaproxyConfig({ ...opts, dir, frontendPort }), { mode: 0o644 });
    await runChecked(binary, ["-c", "-q", "-f", configFile], { timeoutMs: 15_000, missingHint });
  } catch (error) {
    if (ownDir) await removeDir(dir);
    throw error;
  }

  const child: ChildProcess = spawn(binary, ["-W", "-f", configFile], { cwd: dir, env: isolatedEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  const keep = (d: Buffer) => {
    out.push(...d.toString("utf8").split("\n").filter(Boolean));
    if (out.length > 200) out.splice(0, out.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: string | null = null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.on("exit", (code, sig) => {
      exited = sig ?? `exit ${code}`;
      resolve();
    }),
  );
  const spawnError = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ENOENT" ? new LabError(missingHint) : err));
  });
  if (spawnError) {
    if (ownDir) await removeDir(dir);
    throw spawnError;
  }
  const pid = child.pid!;
  const unhook = onProcessExit(() => signal(pid, "SIGKILL"));
  const output = () => out.slice(-40).join("\n");

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      // SIGTERM: hard stop of the master and its workers (SIGUSR1 would wait for
      // open connections to finish, which a test's keep-alive client may hold).
      signal(pid, "SIGTERM");
      const done = await Promise.race([exitedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!done) {
        signal(pid, "SIGKILL");
        await exitedPromise;
      }
    }
    unhook();
    if (ownDir) await removeDir(dir);
  };

  try {
    await waitFor("HAProxy's runtime API socket", async () => (await workerPidOf(socketPath)) > 0, {
      timeoutMs: opts.startTimeoutMs ?? 15_000,
      intervalMs: 50,
      detail: output,
      abort: () => (exited === null ? null : `haproxy exited (${exited})`),
    });
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(`${message}${message.includes(output()) ? "" : `\n${output()}`}`);
  }

  return {
    dir,
    socketPath,
    configFile,
    pid,
    frontendPort,
    url: `http://127.0.0.1:${frontendPort}`,
    workerPid: () => workerPidOf(socketPath),
    command: (cmd) => haproxyCommand(socketPath, cmd),
    output,
    stop,
    async reload() {
      if (exited !== null) throw new LabError(`haproxy is not running (${exited})`);
      await runChecked(binary, ["-c", "-q", "-f", configFile], { timeoutMs: 15_000, missingHint });
      const before = await workerPidOf(socketPath);
      signal(pid, "SIGUSR2");
      return waitFor(
        "the new HAProxy worker after reload",
        async () => {
          const now = await workerPidOf(socketPath);
          return now !== before ? now : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 50, detail: output, abort: () => (exited === null ? null : `haproxy exited (${exited})`) },
      );
    },
  };
}

async function main(ports: number[]) {
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0)) {
    console.error("usage: node --import tsx lab/haproxy.ts <backend port>... (balances 127.0.0.1:<port>, checks GET /health)");
    process.exit(2);
  }
  const lb = await startHaproxy({
    backends: [{ name: "app", servers: ports.map((port, i) => ({ name: `app${i + 1}`, host: "127.0.0.1", port })) }],
    stickyCookie: "SERVERID",
  });
  console.log(`HAProxy master ${lb.pid} on ${lb.url}\n  config  ${lb.configFile}\n  socket  ${lb.socketPath}\nCtrl-C stops it.`);
  const shutdown = () => void lb.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main(process.argv.slice(2).map(Number)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
