// Agentless targets — a hardware load balancer, or any node, load balancer
// or database registered without an agent URL — are watched by a TCP
// connect to their address instead, through the same rise/fall rule, events
// and samples as agents. A target that has an agent URL but no credential yet
// is waiting for enrolment, and is left alone until then. Addresses go through
// the destination guard at every probe (on what a name resolves to then).
import net from "node:net";
import type { Db } from "@/lib/db/client";
import { guardedConnectOptions, STRICT_DESTINATIONS, type DestinationPolicy } from "@/lib/net/destination-guard";
import { destinationPolicy } from "@/lib/net/destination-policy";
import { HealthState, defaultThresholds, type Health, type Thresholds } from "@/worker/health";
import type { Recorder, Watchable } from "@/worker/recorder";
import { log } from "@/lib/log";

export type ProbeTarget = Watchable & { host: string; port: number; health: Health };

export type ProberOptions = {
  everyMs: number;
  timeoutMs: number;
  refreshMs: number;
  thresholds: Thresholds;
  destinationPolicy: () => Promise<DestinationPolicy>;
};
const defaults: ProberOptions = {
  everyMs: 2000,
  timeoutMs: 1000,
  refreshMs: 5000,
  thresholds: defaultThresholds,
  destinationPolicy: () => destinationPolicy(0),
};

type Probed = { target: ProbeTarget; state: HealthState; busy: boolean };

export async function loadProbeTargets(db: Db): Promise<ProbeTarget[]> {
  const select = { id: true, name: true, clusterId: true, host: true, port: true, health: true } as const;
  const [lbs, nodes, databases, poolers] = await Promise.all([
    db.loadBalancer.findMany({ where: { OR: [{ kind: "HARDWARE" }, { agentUrl: null }] }, select }),
    db.node.findMany({ where: { agentUrl: null }, select }),
    db.databaseInstance.findMany({ where: { agentUrl: null }, select }),
    db.pooler.findMany({ where: { agentUrl: null }, select }),
  ]);
  return [
    ...lbs.map((r) => ({ subjectType: "LOAD_BALANCER" as const, ...r })),
    ...nodes.map((r) => ({ subjectType: "NODE" as const, ...r })),
    ...databases.map((r) => ({ subjectType: "DATABASE" as const, ...r })),
    ...poolers.map((r) => ({ subjectType: "POOLER" as const, ...r })),
  ];
}

/**
 * PostgreSQL's SSLRequest (length 8, code 80877103): a live server answers one
 * byte ('S' or 'N'; PgBouncer too). A connect alone proves little: the kernel
 * completes the handshake for a listening socket whose process is frozen.
 */
const POSTGRES_HELLO = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * A TCP connect to host:port, within timeoutMs. With `speak: "postgres"` the
 * server must also answer an SSLRequest: the process behind the port works.
 */
export function tcpProbe(
  host: string,
  port: number,
  timeoutMs: number,
  policy: DestinationPolicy = STRICT_DESTINATIONS,
  speak?: "postgres",
): Promise<{ ok: true; latencyMs: number } | { ok: false; reason: string }> {
  const started = performance.now();
  let lookup: net.LookupFunction;
  try {
    ({ lookup } = guardedConnectOptions(host, () => policy));
  } catch (error) {
    return Promise.resolve({ ok: false, reason: (error as Error).message });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, lookup });
    const done = (result: { ok: true; latencyMs: number } | { ok: false; reason: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        ok: false,
        reason: socket.connecting || !speak ? `no answer within ${timeoutMs} ms` : `connected, but no PostgreSQL answer within ${timeoutMs} ms`,
      }),
    );
    socket.once("connect", () => {
      if (!speak) return done({ ok: true, latencyMs: performance.now() - started });
      socket.once("data", () => done({ ok: true, latencyMs: performance.now() - started }));
      socket.once("end", () => done({ ok: false, reason: "connected, then closed without a PostgreSQL answer" }));
      socket.write(POSTGRES_HELLO);
    });
    // A refusal by the guard arrives here too, as the lookup's error, and says why in its message.
    socket.once("error", (error: NodeJS.ErrnoException) => done({ ok: false, reason: error.code === "ECONNREFUSED" ? "connection refused" : error.message }));
  });
}

export class Prober {
  private probed = new Map<string, Probed>();
  private destinations: DestinationPolicy = STRICT_DESTINATIONS;
  private timers: NodeJS.Timeout[] = [];
  private readonly options: ProberOptions;

  constructor(
    private readonly db: Db,
    private readonly recorder: Recorder,
    options: Partial<ProberOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  get size(): number {
    return this.probed.size;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timers.push(setInterval(() => void this.refresh().catch(() => {}), this.options.refreshMs));
    this.timers.push(setInterval(() => this.probeAll(), this.options.everyMs));
    this.probeAll();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.probed.clear();
  }

  private async refresh(): Promise<void> {
    this.destinations = await this.options.destinationPolicy();
    const targets = await loadProbeTargets(this.db);
    const keys = new Set(targets.map((t) => `${t.subjectType}:${t.id}`));
    for (const key of this.probed.keys()) if (!keys.has(key)) this.probed.delete(key);
    for (const target of targets) {
      const key = `${target.subjectType}:${target.id}`;
      const existing = this.probed.get(key);
      if (existing) existing.target = target;
      else this.probed.set(key, { target, state: new HealthState(this.options.thresholds, target.health), busy: false });
    }
  }

  private probeAll(): void {
    for (const [key, p] of this.probed) {
      if (p.busy) continue;
      p.busy = true;
      void tcpProbe(p.target.host, p.target.port, this.options.timeoutMs, this.destinations).then((result) => {
        p.busy = false;
        const address = `${p.target.host}:${p.target.port}`;
        const transition = result.ok ? p.state.observe("UP") : p.state.observe("DOWN", [`probe ${address}: ${result.reason}`]);
        this.recorder.observe(p.target, result.ok, {
          key,
          at: Date.now(),
          health: p.state.health,
          latencyMs: result.ok ? Math.round(result.latencyMs * 100) / 100 : null,
        });
        if (transition) {
          void this.recorder
            .transition(p.target, transition)
            .catch((error) => log.error("prober.transition-write-failed", { target: key, error: String(error) }));
        }
      });
    }
  }
}
