// The demo cluster: a real three-tier platform on loopback, registered in the
// console and watched by real agents. Three demo app servers behind a real
// HAProxy (sticky cookie, health checks), a real PostgreSQL primary with a
// streaming replica, a real PgBouncer in front of it (the apps' database URL
// names it: a switchover PAUSEs and retargets it), an agent beside each, and a
// traffic generator so the charts move. Everything it starts is listed in <dir>/state.json, which the
// `clusterdeck lab` commands read to kill, hang and resume parts of it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startHaproxy, type HaproxyHandle } from "@/lab/haproxy";
import { PGBOUNCER_BINARY, startPgbouncer, type PgbouncerHandle } from "@/lab/pgbouncer";
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { canonicalJson } from "@/lib/agent-protocol/config/checksum";
import { scopeKey } from "@/lib/config/scopes";
import { startPostgresPair, DEFAULT_PG_BIN_DIR, type PostgresPairHandle } from "@/lab/postgres";
import { freePorts, isListening } from "@/lab/ports";
import { isolatedEnv } from "@/lab/process";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";
import { startTraffic, type Traffic } from "@/demo/traffic";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const APP_COUNT = 3;

export type ComponentKind = "app" | "agent" | "haproxy" | "postgres" | "pgbouncer" | "traffic";
export type Component = { name: string; kind: ComponentKind; pid: number | null; port: number | null; note?: string };
export type DemoState = { pid: number; startedAt: string; haproxyUrl: string | null; components: Component[] };

export type ComponentStatus = Component & { state: "running" | "hung" | "dead" | "n/a" };

export type DemoCluster = {
  state: DemoState;
  status(): ComponentStatus[];
  /** kill -9: a crash, nothing said goodbye. */
  kill(name: string): void;
  /** SIGSTOP: the process is there, holds its sockets, and answers nothing. */
  hang(name: string): void;
  /** SIGCONT for a hung component; a dead one is started again. */
  resume(name: string): Promise<void>;
  stop(): Promise<void>;
};

/** A process the demo owns and can start again after a kill. */
type Managed = { component: Component; start: () => ChildProcess; child: ChildProcess };

export type DemoOptions = {
  /** Folder for the cluster's data, configs and state.json; emptied on start. */
  dir: string;
  log: (message: string) => void;
  /** Requests per second from the traffic generator (default 20). */
  trafficRps?: number;
};

export const stateFile = (dir: string) => path.join(dir, "state.json");

export async function startDemoCluster(opts: DemoOptions): Promise<DemoCluster> {
  const { dir, log } = opts;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });

  const managed = new Map<string, Managed>();
  const components: Component[] = [];
  const children = () => [...managed.values()].map((m) => m.child);
  const launch = (component: Component, start: () => ChildProcess) => {
    const child = start();
    component.pid = child.pid ?? null;
    managed.set(component.name, { component, start, child });
    components.push(component);
  };
  let haproxy: HaproxyHandle | null = null;
  let pair: PostgresPairHandle | null = null;
  let bouncer: PgbouncerHandle | null = null;
  let traffic: Traffic | null = null;
  const audit: AuditContext = { actor: systemActor("demo"), requestId: `demo-${Date.now()}`, clientIp: null };

  const stop = async () => {
    traffic?.stop();
    for (const child of children()) child.kill("SIGCONT");
    for (const child of children()) child.kill("SIGTERM");
    await Promise.all(children().map((c) => exited(c, 5000)));
    await haproxy?.stop().catch(() => {});
    await bouncer?.stop().catch(() => {});
    await pair?.stop().catch(() => {});
    await rm(stateFile(dir), { force: true });
  };

  try {
    const [hasHaproxy, hasPostgres] = [
      ensurePackage("haproxy", "haproxy", log),
      ensurePackage("postgresql", path.join(DEFAULT_PG_BIN_DIR, "pg_basebackup"), log),
    ];
    const hasPgbouncer = hasPostgres && ensurePackage("pgbouncer", PGBOUNCER_BINARY, log);
    // An app server and an agent per node; HAProxy's frontend and its agent; an agent per database; PgBouncer's agent.
    const ports = await freePorts(APP_COUNT * 2 + 2 + 2 + 1);
    const appPorts = ports.slice(0, APP_COUNT);
    const appAgentPorts = ports.slice(APP_COUNT, APP_COUNT * 2);
    const [lbAgentPort, frontendPort, pgAgentPrimary, pgAgentReplica, poolerAgentPort] = ports.slice(APP_COUNT * 2) as [number, number, number, number, number];

    if (hasPostgres) {
      log("Starting PostgreSQL primary and streaming replica…");
      // Streams under its inventory name, so the primary's page ties the standby to its member.
      pair = await startPostgresPair({ dir: path.join(dir, "postgres"), replicaName: "pg-replica" });
      components.push({ name: "pg-primary", kind: "postgres", pid: pair.primary.pid(), port: pair.primary.port });
      components.push({ name: "pg-replica", kind: "postgres", pid: pair.replica.pid(), port: pair.replica.port });
    }
    if (pair && hasPgbouncer) {
      log("Starting PgBouncer in front of the primary (transaction pooling)…");
      await mkdir(path.join(dir, "pgbouncer"), { recursive: true, mode: 0o750 });
      bouncer = await startPgbouncer({
        dir: path.join(dir, "pgbouncer"),
        target: { host: "127.0.0.1", port: pair.primary.port, superuserUrl: pair.primaryUrl },
      });
      components.push({ name: "pgbouncer", kind: "pgbouncer", pid: bouncer.pid(), port: bouncer.port });
    }
    // Where the apps' queries go: through PgBouncer when there is one.
    const appDatabase = bouncer
      ? { url: bouncer.url, tcp: `127.0.0.1:${bouncer.port}` }
      : pair
        ? { url: pair.primaryUrl, tcp: `127.0.0.1:${pair.primary.port}` }
        : null;

    log("Starting three demo app servers…");
    const apps = appPorts.map((port, i) => ({ name: `app-${i + 1}`, port, settingsFile: path.join(dir, "apps", `app-${i + 1}.json`) }));
    // Each app reads its database endpoint from a settings file the console then manages (config push).
    const appSettingsText = appDatabase ? canonicalJson(appSettings.parse({ database: { url: appDatabase.url } })) : null;
    await mkdir(path.join(dir, "apps"), { recursive: true, mode: 0o700 });
    for (const app of apps) {
      if (appSettingsText) await writeFile(app.settingsFile, appSettingsText, { mode: 0o600 });
      const args = ["--port", String(app.port), "--name", app.name, ...(appSettingsText ? ["--settings", app.settingsFile] : [])];
      launch({ name: app.name, kind: "app", pid: null, port: app.port }, () => spawnTs("demo/app-server.ts", args, log, app.name));
    }
    await Promise.all(apps.map((a) => waitListening(a.port, a.name)));

    if (hasHaproxy) {
      log("Starting HAProxy in front of them…");
      await mkdir(path.join(dir, "haproxy"), { recursive: true, mode: 0o755 });
      haproxy = await startHaproxy({
        dir: path.join(dir, "haproxy"),
        frontendPort,
        stickyCookie: "SERVERID",
        backends: [{ name: "app", servers: apps.map((a) => ({ name: a.name, host: "127.0.0.1", port: a.port })) }],
      });
      components.push({ name: "haproxy-1", kind: "haproxy", pid: haproxy.pid, port: haproxy.frontendPort });
    }

    log("Registering the platform in the inventory and enrolling agents…");
    const { createCluster } = await import("@/lib/inventory/clusters");
    const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
    const { createNode } = await import("@/lib/inventory/nodes");
    const { createDatabase } = await import("@/lib/inventory/databases");
    const { createPooler } = await import("@/lib/inventory/poolers");
    const { addPoolMember } = await import("@/lib/inventory/pool");
    const { issueAgentCredential } = await import("@/lib/agents/service");
    const { db } = await import("@/lib/db");
    const cluster =
      (await db.cluster.findUnique({ where: { name: "demo" }, select: { id: true } })) ??
      (await createCluster({ name: "demo", description: "The demo platform on loopback (clusterdeck demo)", environment: "demo" }, audit));
    // Ports change from run to run: drop last run's demo inventory and register afresh.
    const stale = [
      ...(await db.node.findMany({ where: { clusterId: cluster.id }, select: { id: true } })),
      ...(await db.loadBalancer.findMany({ where: { clusterId: cluster.id }, select: { id: true } })),
      ...(await db.databaseInstance.findMany({ where: { clusterId: cluster.id }, select: { id: true } })),
      ...(await db.pooler.findMany({ where: { clusterId: cluster.id }, select: { id: true } })),
    ].map((r) => r.id);
    await db.$transaction([
      db.configTargetState.deleteMany({ where: { targetId: { in: stale } } }),
      db.poolMember.deleteMany({ where: { loadBalancer: { clusterId: cluster.id } } }),
      // A load balancer's revisions go with it, and their deployments (kept by Restrict) first.
      db.configDeployment.deleteMany({ where: { revision: { loadBalancer: { clusterId: cluster.id } } } }),
      db.loadBalancer.deleteMany({ where: { clusterId: cluster.id } }),
      db.node.deleteMany({ where: { clusterId: cluster.id } }),
      db.databaseInstance.deleteMany({ where: { clusterId: cluster.id } }),
      db.pooler.deleteMany({ where: { clusterId: cluster.id } }),
    ]);

    const agentConfigs: { name: string; port: number; config: Record<string, unknown> }[] = [];
    let lbId: string | null = null;
    const nodeIds: string[] = [];
    for (const [i, app] of apps.entries()) {
      const agentPort = appAgentPorts[i]!;
      const node = await createNode(
        { clusterId: cluster.id, name: app.name, host: "127.0.0.1", port: app.port, weight: 100, capacity: 200, agentUrl: `http://127.0.0.1:${agentPort}` },
        audit,
      );
      nodeIds.push(node.id);
      const { config } = await issueAgentCredential("NODE", node.id, audit);
      const backends = appDatabase ? [{ name: "orders-db", tcp: appDatabase.tcp }] : [];
      const managed = appSettingsText ? { settingsFile: app.settingsFile } : { settingsFile: undefined, reloadUrl: undefined };
      // The demo app holds writes through a planned switchover (an endpoint a real app may not have).
      const appUrl = `http://127.0.0.1:${app.port}`;
      const hold = { holdWritesUrl: `${appUrl}/admin/hold-writes`, releaseWritesUrl: `${appUrl}/admin/release-writes` };
      agentConfigs.push({
        name: `agent:${app.name}`,
        port: agentPort,
        config: { ...config, app: { ...("app" in config ? config.app : {}), backends, ...managed, ...hold } },
      });
    }
    if (haproxy) {
      const lb = await createLoadBalancer(
        {
          clusterId: cluster.id,
          name: "haproxy-1",
          kind: "HAPROXY",
          tier: "SOFTWARE",
          host: "127.0.0.1",
          port: haproxy.frontendPort,
          agentUrl: `http://127.0.0.1:${lbAgentPort}`,
        },
        audit,
      );
      for (const nodeId of nodeIds) await addPoolMember(lb.id, { nodeId, weight: 100, backup: false }, audit);
      const { config } = await issueAgentCredential("LOAD_BALANCER", lb.id, audit);
      agentConfigs.push({
        name: "agent:haproxy-1",
        port: lbAgentPort,
        config: { ...config, haproxy: { socket: haproxy.socketPath, configFile: haproxy.configFile, pidFile: path.join(haproxy.dir, "haproxy.pid") } },
      });
      lbId = lb.id;
    }
    if (pair) {
      for (const [name, role, server, agentPort] of [
        ["pg-primary", "PRIMARY", pair.primary, pgAgentPrimary],
        ["pg-replica", "REPLICA", pair.replica, pgAgentReplica],
      ] as const) {
        const instance = await createDatabase(
          { clusterId: cluster.id, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${agentPort}` },
          audit,
        );
        const { config } = await issueAgentCredential("DATABASE", instance.id, audit);
        // A superuser: the agent manages settings (ALTER SYSTEM) and, later, promotes and fences.
        // …and may stop, rewind and start its server: a fence stops a former primary, a rebuild brings it back.
        const stop = { pgCtl: path.join(DEFAULT_PG_BIN_DIR, "pg_ctl"), dataDir: server.dataDir, runAs: "postgres" };
        agentConfigs.push({
          name: `agent:${name}`,
          port: agentPort,
          config: { ...config, postgres: { url: role === "PRIMARY" ? pair.primaryUrl : pair.replicaUrl, stop } },
        });
      }
    }

    if (bouncer) {
      const pooler = await createPooler(
        { clusterId: cluster.id, name: "pgbouncer", host: "127.0.0.1", port: bouncer.port, agentUrl: `http://127.0.0.1:${poolerAgentPort}` },
        audit,
      );
      const { config } = await issueAgentCredential("POOLER", pooler.id, audit);
      // The agent owns the ini's [databases] entries: a promotion points them at the new primary.
      agentConfigs.push({
        name: "agent:pgbouncer",
        port: poolerAgentPort,
        config: { ...config, pgbouncer: { adminUrl: bouncer.adminUrl, configFile: bouncer.configFile } },
      });
    }

    log(`Starting ${agentConfigs.length} agents…`);
    await mkdir(path.join(dir, "agents"), { recursive: true, mode: 0o700 });
    for (const agent of agentConfigs) {
      const file = path.join(dir, "agents", `${agent.name.replace(":", "-")}.json`);
      // Agents keep /metrics closed without a token; each demo agent gets its own, in its 0600 config,
      // so a Prometheus pointed at the demo shows how a real one is set up.
      const config = { ...agent.config, metricsToken: randomBytes(24).toString("base64url") };
      await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
      launch({ name: agent.name, kind: "agent", pid: null, port: agent.port }, () =>
        spawnNode([path.join(repoRoot, "bin", "clusterdeck-agent.mjs"), "--config", file], log, agent.name),
      );
    }
    await Promise.all(agentConfigs.map((a) => waitListening(a.port, a.name)));

    await adoptConfigurations({ clusterId: cluster.id, lbId, haproxy, appSettingsText, audit, log });

    const haproxyUrl = haproxy?.url ?? null;
    const target = haproxyUrl ?? `http://127.0.0.1:${apps[0]!.port}`;
    traffic = startTraffic({ url: target, rps: opts.trafficRps ?? 20, writeShare: pair ? 0.1 : 0 });
    components.push({ name: "traffic", kind: "traffic", pid: process.pid, port: null, note: `${opts.trafficRps ?? 20} req/s to ${target}` });

    const state: DemoState = { pid: process.pid, startedAt: new Date().toISOString(), haproxyUrl, components };
    const saveState = () => writeFile(stateFile(dir), JSON.stringify(state, null, 2));
    await saveState();

    const find = (name: string) => {
      const component = components.find((c) => c.name === name);
      if (!component) throw new Error(`No component '${name}'. Components: ${components.map((c) => c.name).join(", ")}`);
      if (component.kind === "traffic") throw new Error("The traffic generator runs inside the demo process; it cannot be killed or hung on its own");
      return component;
    };
    // PostgreSQL and PgBouncer are the lab's handles (they start again in place); the rest are the demo's children.
    const livePid = (c: Component) =>
      c.kind === "postgres" ? (c.name === "pg-primary" ? pair!.primary.pid() : pair!.replica.pid()) : c.kind === "pgbouncer" ? bouncer!.pid() : c.pid;
    const pidOf = (name: string) => {
      const pid = livePid(find(name));
      if (!pid) throw new Error(`${name} is not running`);
      return pid;
    };
    return {
      state,
      stop,
      status: () => components.map((c) => ({ ...c, pid: livePid(c), state: c.kind === "traffic" ? "running" : processState(livePid(c)) })),
      kill(name) {
        process.kill(pidOf(name), "SIGKILL");
      },
      hang(name) {
        process.kill(pidOf(name), "SIGSTOP");
      },
      async resume(name) {
        const component = find(name);
        const pid = livePid(component);
        if (processState(pid) === "hung") {
          process.kill(pid!, "SIGCONT");
          return;
        }
        if (processState(pid) === "running") return;
        if (component.kind === "postgres") {
          await (name === "pg-primary" ? pair!.primary : pair!.replica).start();
        } else if (component.kind === "pgbouncer") {
          // On the ini as its agent left it: still pointing wherever the last promotion put it.
          await bouncer!.start();
          component.pid = bouncer!.pid();
        } else if (component.kind === "haproxy") {
          throw new Error("HAProxy cannot be restarted by the demo yet; restart the demo");
        } else {
          const m = managed.get(name)!;
          m.child = m.start();
          component.pid = m.child.pid ?? null;
          if (component.port) await waitListening(component.port, name);
        }
        await saveState();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What a pid is doing: running, stopped by a signal (hung), or gone. */
/**
 * Hands the demo's configurations to the console: revision 1 of the HAProxy
 * configuration (generated from the inventory just registered) and of the
 * app settings, each deployed by the worker as soon as it runs. From then on
 * the Configuration pages show them, and edits on disk show as drift.
 */
async function adoptConfigurations(o: {
  clusterId: string;
  lbId: string | null;
  haproxy: HaproxyHandle | null;
  appSettingsText: string | null;
  audit: AuditContext;
  log: (m: string) => void;
}) {
  const { createRevision } = await import("@/lib/config/revisions");

  const { startDeployment } = await import("@/lib/config/deployments");
  const { db } = await import("@/lib/db");
  const revisionOf = async (scope: string, input: unknown, message: string) => {
    try {
      return (await createRevision(scope, { input, message }, o.audit)).id;
    } catch (error) {
      // The same content as last run's latest revision: deploy that one.
      const latest = await db.configRevision.findFirst({ where: { scope }, orderBy: { number: "desc" }, select: { id: true } });
      if (latest && (error as { status?: number }).status === 422) return latest.id;
      throw error;
    }
  };
  const deploy = async (scope: string, input: unknown, message: string, batchSize: number) => {
    try {
      const revisionId = await revisionOf(scope, input, message);
      await startDeployment(revisionId, { batchSize, pauseSeconds: 0, reason: "demo start: the console takes over this configuration" }, o.audit, null);
    } catch (error) {
      o.log(`Could not hand ${scope} to the console: ${(error as Error).message}`);
    }
  };
  if (o.haproxy && o.lbId) {
    await deploy(
      scopeKey("HAPROXY", o.lbId),
      {
        stickyCookie: "SERVERID",
        // App servers trust loopback for their admin endpoints; HAProxy connects from loopback too.
        frontendExtra: "http-request deny deny_status 403 if { path_beg /admin }",
      },
      "Generated from the demo inventory",
      1,
    );
  }
  if (o.appSettingsText) await deploy(scopeKey("APP", o.clusterId), JSON.parse(o.appSettingsText), "The demo apps' settings", 1);
}

export function processState(pid: number | null | undefined): "running" | "hung" | "dead" {
  if (!pid) return "dead";
  try {
    process.kill(pid, 0);
  } catch {
    return "dead";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …" — T means stopped; Z, a zombie not yet reaped, is as good as dead.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const status = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (status === "T") return "hung";
    if (status === "Z") return "dead";
  } catch {
    return "dead";
  }
  return "running";
}

/** Installs a Debian package when it is missing and we may (root with apt-get); says so either way. */
function ensurePackage(pkg: string, probe: string, log: (m: string) => void): boolean {
  const present = () => (probe.includes("/") ? existsSync(probe) : spawnSync("sh", ["-c", `command -v ${probe}`]).status === 0);
  if (present()) return true;
  if (process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v apt-get"]).status === 0) {
    log(`${pkg} is not installed: installing it with apt-get (once)…`);
    spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
    const result = spawnSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (result.status === 0 && present()) return true;
  }
  log(`!! ${pkg} is not installed and could not be installed here; the demo runs without it. Install it with: apt-get install ${pkg}`);
  return false;
}

function spawnNode(args: string[], log: (m: string) => void, label: string): ChildProcess {
  // Not the console's environment (this process holds its secrets): see isolatedEnv.
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: isolatedEnv(), stdio: ["ignore", "ignore", "pipe"] });
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGKILL" && code !== null)
      log(`${label} exited with code ${code}: ${tail.trim().split("\n").slice(-3).join(" | ")}`);
  });
  return child;
}

/** Runs a TypeScript file of this repo in its own node process (its pid is the program's own). */
export function spawnTs(file: string, args: string[], log: (m: string) => void, label: string): ChildProcess {
  return spawnNode(["--import", import.meta.resolve("tsx"), path.join(repoRoot, file), ...args], log, label);
}

async function waitListening(port: number, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await isListening(port))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not start listening on port ${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
