// Watches every enrolled agent through its live channel, turns what it sees
// into health (through rise/fall thresholds) and hands facts to the recorder.
// Runs only on the leader worker; stop() drops every channel.
import type { Snapshot } from "@/lib/agent-protocol/types";
import { agentTargetsFingerprint, loadAgentTargets, type AgentTarget } from "@/lib/agents/service";
import type { MetricPoint, PoolerPoint } from "@/lib/realtime/messages";
import { AgentConnection, defaultConnectionOptions, type ConnectionEvent, type ConnectionOptions } from "@/worker/agent-connection";
import { HealthState, defaultThresholds, type Health, type Observed, type Thresholds } from "@/worker/health";
import { judgeSilentAgent, loadBalancerEvidence, type Evidence, type LoadBalancerView } from "@/worker/agent-silence";
import { tcpProbe } from "@/worker/prober";
import { SILENT_JUDGE_EVERY_MS } from "@/lib/agents/timing";
import type { Recorder } from "@/worker/recorder";
import { STRICT_DESTINATIONS, type DestinationPolicy } from "@/lib/net/destination-guard";
import { destinationPolicy } from "@/lib/net/destination-policy";
import { log } from "@/lib/log";
import { frontendRequestRate, loadBalancerPointFrom } from "@/worker/lb-point";

const expectedRole = { NODE: "app", LOAD_BALANCER: "haproxy", DATABASE: "postgres", POOLER: "pgbouncer" } as const;

type Watched = {
  target: AgentTarget;
  connection: AgentConnection;
  state: HealthState;
  since: number;
  haproxyPid?: number | null;
  refence?: "pending" | "done" | number;
  /** When the app's drain was last re-applied (at most every 5 s). */
  redrainAt?: number;
  /** A database member: what its agent last said (automatic failover's first observer). */
  postgres?: PostgresView;
  /** The agent's time of the first snapshot of the current DOWN run. */
  downFirstAt?: number;
  /** A load balancer: the servers of its latest snapshot (evidence for nodes whose agent is silent). */
  haproxy?: { at: number; servers: LoadBalancerView["servers"] };
  /** Set while the agent does not answer: why, and whether evidence is being gathered now. */
  silence?: { reason: string; judging: boolean };
  /** Snapshots received: an evidence result that raced a snapshot is dropped. */
  answers: number;
};

/**
 * What the worker's channel to a database member's agent says. `downSpanMs`
 * is measured on the agent's clock, between the first and the latest of the
 * consecutive snapshots that reported the member DOWN: a stalled worker reads
 * the snapshots it missed all at once but cannot stretch that span, so a
 * stall never makes PostgreSQL look down for longer than its agent saw it.
 */
export type PostgresView = { answering: boolean; downSpanMs: number | null };

/**
 * A target never seen before is not called DOWN for this long: an agent is
 * usually enrolled a moment before it starts, and "down" would be noise.
 */
const FIRST_CONTACT_GRACE_MS = 5000;

/** A load balancer's snapshot older than this is no evidence (its own agent is slow or silent). */
const LB_VIEW_FRESH_MS = 3000;
const PROBE_TIMEOUT_MS = 1000;

/** Even when the fingerprint says nothing changed, reload this often (belt and braces). */
const FULL_RELOAD_MS = 60_000;

export type MonitorOptions = {
  thresholds: Thresholds;
  connection: ConnectionOptions;
  refreshMs: number;
  loadTargets: () => Promise<AgentTarget[]>;
  /** Cheap "did the inventory change?" probe; null reloads every time. */
  fingerprint: (() => Promise<string>) | null;
  /** Health as stored, so a restarted worker does not announce every target again. */
  initialHealth: (target: AgentTarget) => Health;
  /**
   * An HAProxy started a new worker (reload, restart), or is seen for the
   * first time by this worker: its runtime state is whatever its file says.
   * Resolves once dealt with; a rejection makes the next snapshot try again.
   */
  onHaproxyReloaded: ((target: AgentTarget) => Promise<void>) | null;
  /**
   * A former primary (fenced by a promotion, fence ≠ NONE) is seen taking
   * writes again (it came back after being down when it was fenced): fence it.
   * Resolves false when the inventory says it is no former primary any more
   * (this copy of it was stale): asked again at the next snapshot.
   */
  onFormerPrimaryWritable: ((target: AgentTarget) => Promise<boolean | void>) | null;
  /** A node the console holds out of service reports an app taking sessions (it restarted): drain the app again. */
  onAppNotDraining: ((target: AgentTarget) => Promise<void>) | null;
  /** The admin's link-local setting, read at each refresh; every connect checks against the latest. */
  destinationPolicy: () => Promise<DestinationPolicy>;
};

export class Monitor {
  private watched = new Map<string, Watched>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  private readonly options: MonitorOptions;
  /** Counters for the worker's /metrics. */
  readonly counts = { snapshots: 0, failures: 0, transitions: 0 };
  private destinations: DestinationPolicy = STRICT_DESTINATIONS;

  constructor(
    private readonly recorder: Recorder,
    options: Partial<MonitorOptions> = {},
  ) {
    this.options = {
      thresholds: defaultThresholds,
      connection: defaultConnectionOptions,
      refreshMs: 5000,
      loadTargets: () => loadAgentTargets(),
      initialHealth: () => "UNKNOWN",
      onHaproxyReloaded: null,
      onFormerPrimaryWritable: null,
      onAppNotDraining: null,
      destinationPolicy: () => destinationPolicy(0),
      ...options,
      // A caller that brings its own target list brings its own change detection.
      fingerprint: options.fingerprint !== undefined ? options.fingerprint : options.loadTargets ? null : agentTargetsFingerprint,
    };
  }

  get size(): number {
    return this.watched.size;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh().catch(() => {}), this.options.refreshMs);
    this.silenceTimer = setInterval(() => {
      for (const [key, w] of this.watched) if (w.silence && !w.silence.judging) void this.judgeSilence(key, w);
    }, SILENT_JUDGE_EVERY_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
    for (const w of this.watched.values()) w.connection.stop();
    this.watched.clear();
  }

  /** Re-reads the inventory: new agents are watched, removed ones dropped, changed ones reconnected. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  healthOf(key: string): Health | undefined {
    return this.watched.get(key)?.state.health;
  }

  /** What the agent beside this database member says now; undefined when it is not watched (yet). */
  postgresView(id: string): PostgresView | undefined {
    return this.watched.get(keyOf({ subjectType: "DATABASE", id }))?.postgres;
  }

  private notePostgres(w: Watched, event: ConnectionEvent): void {
    if (event.kind !== "snapshot") {
      // A silent agent says nothing about its PostgreSQL: a DOWN run starts again when it answers.
      w.downFirstAt = undefined;
      w.postgres = { answering: false, downSpanMs: null };
      return;
    }
    const at = Date.parse(event.snapshot.at);
    if (event.snapshot.health !== "DOWN") {
      w.downFirstAt = undefined;
      w.postgres = { answering: true, downSpanMs: null };
      return;
    }
    w.downFirstAt ??= at;
    w.postgres = { answering: true, downSpanMs: at - w.downFirstAt };
  }

  private lastLoad: { fingerprint: string; at: number } | null = null;

  private async doRefresh(): Promise<void> {
    const policy = await this.options.destinationPolicy();
    const tightened = this.destinations.allowLinkLocal && !policy.allowLinkLocal;
    this.destinations = policy;
    // Link-local just became forbidden: channels opened while it was allowed reconnect, and meet the guard.
    if (tightened) for (const w of this.watched.values()) w.connection.update(w.target);
    const fingerprint = this.options.fingerprint ? await this.options.fingerprint() : null;
    if (fingerprint !== null && this.lastLoad?.fingerprint === fingerprint && Date.now() - this.lastLoad.at < FULL_RELOAD_MS) return;
    const startedAt = Date.now();
    const targets = await this.options.loadTargets();
    // Taken before the load: a change that lands during it is seen next time.
    this.lastLoad = fingerprint === null ? null : { fingerprint, at: startedAt };
    // Stopped while loading (the lease was lost): opening channels now would leak them.
    if (this.stopped) return;
    const next = new Map(targets.map((t) => [keyOf(t), t]));
    for (const [key, w] of this.watched) {
      if (!next.has(key)) {
        w.connection.stop();
        this.watched.delete(key);
        this.recorder.forget(w.target);
      }
    }
    for (const [key, target] of next) {
      const existing = this.watched.get(key);
      if (existing) {
        const moved = existing.target.agentUrl !== target.agentUrl || existing.target.keyId !== target.keyId;
        if (existing.target.fence !== target.fence) existing.refence = undefined;
        existing.target = target;
        if (moved) existing.connection.update(target);
        continue;
      }
      const state = new HealthState(this.options.thresholds, this.options.initialHealth(target));
      const watched: Watched = {
        target,
        state,
        since: Date.now(),
        answers: 0,
        connection: new AgentConnection(target, (e) => this.onEvent(key, e), { ...this.options.connection, destinations: () => this.destinations }),
      };
      this.watched.set(key, watched);
      watched.connection.start();
    }
  }

  private noticeHaproxyWorker(w: Watched, s: Snapshot): void {
    const pid = s.haproxy?.workerPid;
    const hook = this.options.onHaproxyReloaded;
    if (!hook || !pid || w.haproxyPid === pid || w.haproxyPid === PENDING) return;
    w.haproxyPid = PENDING;
    hook(w.target).then(
      () => (w.haproxyPid = pid),
      (error) => {
        w.haproxyPid = null; // the next snapshot tries again
        log.error("monitor.override-restore-failed", { target: w.target.name, error: String(error) });
      },
    );
  }

  private noticeAppDrain(w: Watched, s: Snapshot): void {
    const hook = this.options.onAppNotDraining;
    const held = w.target.adminState === "DRAINING" || w.target.adminState === "DRAINED" || w.target.adminState === "MAINTENANCE";
    if (!hook || !held || !s.app || s.app.draining) return;
    if (w.redrainAt && Date.now() - w.redrainAt < 5000) return;
    w.redrainAt = Date.now();
    hook(w.target).catch((error) => log.error("monitor.redrain-failed", { target: w.target.name, error: String(error) }));
  }

  private noticeFormerPrimary(w: Watched, s: Snapshot): void {
    const hook = this.options.onFormerPrimaryWritable;
    // A DOWN report's postgres section is a placeholder: only a server that answers counts.
    if (!hook || !w.target.fence || w.target.fence === "NONE" || s.health === "DOWN" || !s.postgres || s.postgres.inRecovery) return;
    // Once per return; after a failure, again 5 s later.
    if (w.refence === "pending" || w.refence === "done" || (typeof w.refence === "number" && Date.now() < w.refence)) return;
    w.refence = "pending";
    hook(w.target).then(
      (fenced) => (w.refence = fenced === false ? undefined : "done"),
      (error) => {
        w.refence = Date.now() + 5000;
        log.error("monitor.refence-failed", { target: w.target.name, error: String(error) });
      },
    );
  }

  private onEvent(key: string, event: ConnectionEvent): void {
    const w = this.watched.get(key);
    if (!w) return;
    if (event.kind !== "snapshot") {
      this.counts.failures++;
      // When it comes back it is judged again (a former primary restarted is fenced again).
      if (w.refence === "done") w.refence = undefined;
      if (w.target.subjectType === "DATABASE") this.notePostgres(w, event);
      const reason = `agent at ${w.target.agentUrl}: ${event.reason}`;
      // Updated in place: a judgement under way clears `judging` on this same object when it ends.
      if (w.silence) w.silence.reason = reason;
      else w.silence = { reason, judging: false };
      if (!w.silence.judging) void this.judgeSilence(key, w);
      return;
    }
    this.counts.snapshots++;
    w.answers++;
    w.silence = undefined;
    const s = event.snapshot;
    let observed: Observed;
    let reasons: string[];
    if (s.agent.role !== expectedRole[w.target.subjectType]) {
      observed = "DOWN";
      reasons = [`agent reports role '${s.agent.role}', expected '${expectedRole[w.target.subjectType]}' (wrong agent at ${w.target.agentUrl}?)`];
    } else {
      observed = s.health;
      reasons = s.reasons;
    }
    if (w.target.subjectType === "LOAD_BALANCER" && s.haproxy) w.haproxy = { at: Date.now(), servers: s.haproxy.servers };
    const point = pointFrom(key, s, event.receivedAt);
    // A DOWN report's pgbouncer section is a placeholder (nothing answered): no figures rather than zeros.
    if (w.target.subjectType === "POOLER") point.pooler = poolerPointFrom(s.health === "DOWN" ? undefined : s.pgbouncer, reasons);
    if (w.target.subjectType === "LOAD_BALANCER" && s.agent.role === "haproxy" && s.haproxy && s.health !== "DOWN") {
      point.loadBalancer = loadBalancerPointFrom(s.haproxy);
    }
    if (!this.publish(key, w, observed, reasons, point, true)) return;
    if (s.config) this.recorder.observeConfig(w.target, s.config.checksum);
    if (w.target.subjectType === "DATABASE" && s.agent.role === "postgres") {
      this.notePostgres(w, event);
      this.recorder.observePostgres(w.target, s);
    }
    this.noticeHaproxyWorker(w, s);
    this.noticeFormerPrimary(w, s);
    this.noticeAppDrain(w, s);
  }

  /** The agent is silent: one observation of its subject, from evidence (worker/agent-silence.ts). */
  private async judgeSilence(key: string, w: Watched): Promise<void> {
    const silence = w.silence;
    if (!silence) return;
    silence.judging = true;
    const answers = w.answers;
    let evidence: Evidence[];
    try {
      evidence = await this.evidenceFor(w.target);
    } finally {
      silence.judging = false;
    }
    // The agent answered meanwhile, or the target is gone: its snapshot speaks now.
    if (this.stopped || this.watched.get(key) !== w || w.answers !== answers || !w.silence) return;
    const { observed, reasons } = judgeSilentAgent(w.silence.reason, evidence);
    const point: MetricPoint = { key, at: Date.now(), health: "DOWN" };
    if (w.target.subjectType === "POOLER") point.pooler = poolerPointFrom(undefined, reasons);
    if (!this.publish(key, w, observed, reasons, point, false)) return;
    // A silent agent's member counts for replication once the thresholds call it DOWN.
    if (w.target.subjectType === "DATABASE" && w.state.health === "DOWN") this.recorder.observePostgres(w.target, null);
  }

  /** For a node, the load balancers' checks of it when any is conclusive; otherwise its port (in PostgreSQL's protocol for a database or pooler). */
  private async evidenceFor(target: AgentTarget): Promise<Evidence[]> {
    if (target.subjectType === "NODE") {
      const now = Date.now();
      const views: LoadBalancerView[] = [];
      for (const w of this.watched.values()) {
        if (w.haproxy && now - w.haproxy.at <= LB_VIEW_FRESH_MS) views.push({ name: w.target.name, clusterId: w.target.clusterId, servers: w.haproxy.servers });
      }
      const fromLbs = loadBalancerEvidence(target, views);
      if (fromLbs.length > 0) return fromLbs;
    }
    const address = target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    // A database or pooler must answer in its protocol: a frozen server's port still accepts connections.
    const speaksPostgres = target.subjectType === "DATABASE" || target.subjectType === "POOLER";
    const probe = await tcpProbe(target.host, target.port, PROBE_TIMEOUT_MS, this.destinations, speaksPostgres ? "postgres" : undefined);
    const what = speaksPostgres ? "PostgreSQL-protocol probe" : "TCP probe";
    return [{ source: `the worker's ${what} of ${address}`, passes: probe.ok, detail: probe.ok ? "answered" : probe.reason }];
  }

  /** Feeds one observation through the thresholds and hands the facts to the recorder; false while in first-contact grace. */
  private publish(key: string, w: Watched, observed: Observed, reasons: string[], point: MetricPoint, answered: boolean): boolean {
    if (w.state.health === "UNKNOWN" && observed === "DOWN" && Date.now() - w.since < FIRST_CONTACT_GRACE_MS) return false;
    const transition = w.state.observe(observed, reasons);
    this.recorder.observe(w.target, answered, { ...point, health: w.state.health });
    if (transition) {
      this.counts.transitions++;
      void this.recorder.transition(w.target, transition).catch((error) => log.error("monitor.transition-write-failed", { target: key, error: String(error) }));
    }
    return true;
  }
}

/** While a restore for a new HAProxy worker is running, the pid is marked pending so it runs once. */
const PENDING = -1;

export const keyOf = (t: Pick<AgentTarget, "subjectType" | "id">) => `${t.subjectType}:${t.id}`;

/** What a pooler's row shows live (lib/realtime/messages.ts poolerPoint); no pgbouncer section (a wrong or silent agent) leaves the figures null. */
export function poolerPointFrom(p: Snapshot["pgbouncer"], reasons: string[]): PoolerPoint {
  const sum = (f: (pool: NonNullable<typeof p>["pools"][number]) => number) => (p ? p.pools.reduce((a, x) => a + f(x), 0) : null);
  return {
    reasons: reasons.slice(0, 5).map((r) => r.slice(0, 300)),
    poolMode: p?.poolMode ?? null,
    clientsActive: sum((x) => x.clientsActive),
    clientsWaiting: sum((x) => x.clientsWaiting),
    maxWaitSeconds: p ? p.pools.reduce((a, x) => Math.max(a, x.maxWaitSeconds), 0) : null,
    databases: (p?.databases ?? []).slice(0, 20).map((d) => ({ name: d.name, host: d.host ?? null, port: d.port ?? null, paused: d.paused })),
  };
}

function pointFrom(key: string, s: Snapshot, at: number): MetricPoint {
  const base = { key, at, health: s.health, cpu: s.host.cpu, memory: s.host.memoryTotal ? s.host.memoryUsed / s.host.memoryTotal : null };
  if (s.app) {
    return {
      ...base,
      sessions: s.app.sessions,
      requestRate: s.app.requestRate,
      latencyMs: s.app.latencyMs,
      backends: s.app.backends.map((b) => ({ name: b.name, up: b.up, latencyMs: b.latencyMs })),
    };
  }
  if (s.haproxy) {
    return {
      ...base,
      sessions: s.haproxy.servers.reduce((a, x) => a + x.sessions, 0),
      // Requests, not connections (`rate`): under keep-alive a connection carries many.
      requestRate: frontendRequestRate(s.haproxy),
    };
  }
  if (s.postgres) return { ...base, lagBytes: s.postgres.lagBytes, lagSeconds: s.postgres.lagSeconds };
  if (s.pgbouncer) return { ...base, sessions: s.pgbouncer.pools.reduce((a, x) => a + x.clientsActive + x.clientsWaiting, 0) };
  return base;
}
