// The one collect loop of an agent process. Every stream, /v1/status and
// /metrics read from it, so ten watchers cost the target what one does.
//
// Each tick (every intervalMs, whatever the driver does) publishes exactly one
// snapshot: the driver's report when collect() finishes in time; DOWN with a
// reason when it throws, or when it is still running at the next tick (a hung
// target must not stop the heartbeat the worker watches). A collect still in
// flight is never doubled up on: the next one starts once it has settled.
import { performance } from "node:perf_hooks";
import { snapshot as snapshotSchema, type AgentHealth, type AgentRole, type Snapshot } from "@/lib/agent-protocol/types";
import type { Driver, DriverReport } from "./drivers/types";
import { HostSampler } from "./host";
import type { LogSink } from "./log";

export type AgentInfo = { name: string; role: AgentRole; version: string; startedAt: string };
type Listener = (line: string, snapshot: Snapshot) => void;

const MAX_REASONS = 50;
/**
 * When the health changes, collect again this soon: the worker needs two
 * agreeing observations before it believes a change (its fall/rise rule), and
 * should not have to wait a whole interval for the second.
 */
export const CONFIRM_AFTER_MS = 100;
const MAX_REASON_LENGTH = 300;

function clip(text: string, max = MAX_REASON_LENGTH): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

export class Collector {
  /** seq of the last published snapshot (0: none yet). */
  seq = 0;
  latest: Snapshot | undefined;
  latestLine: string | undefined;
  lastDurationMs: number | undefined;
  collectsTotal = 0;
  failuresTotal = 0;

  private readonly host = new HostSampler();
  private readonly listeners = new Set<Listener>();
  private inFlight: Promise<void> | undefined;
  private inFlightSince = 0;
  /** Set when a tick found the current collect still running and published DOWN for it. */
  private overran = { value: false };
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private refreshAfterCollect = false;
  private confirming = false;

  constructor(
    private readonly driver: Driver,
    private readonly info: AgentInfo,
    private readonly intervalMs: number,
    private readonly log: LogSink,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.listeners.clear();
    // Give a running collect a moment to settle before the driver is closed under it.
    if (this.inFlight) await Promise.race([this.inFlight, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Calls listener with every snapshot published from now on. Returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The latest snapshot, or the first one once it is published. */
  current(): Promise<Snapshot> {
    if (this.latest) return Promise.resolve(this.latest);
    return new Promise((resolve) => {
      const off = this.subscribe((_, s) => {
        off();
        resolve(s);
      });
    });
  }

  /** Collect now (after an action, so watchers see its effect without waiting a full interval). */
  refresh(): void {
    if (this.stopped) return;
    if (this.inFlight) this.refreshAfterCollect = true;
    else this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // Scheduled before collecting, so the cadence does not depend on how long collect takes.
    this.timer = setTimeout(() => this.tick(), this.intervalMs);
    if (this.inFlight) {
      const ms = Math.round(performance.now() - this.inFlightSince);
      this.overran.value = true;
      this.publish("DOWN", [`driver collect has not finished after ${ms} ms (interval ${this.intervalMs} ms)`]);
      return;
    }
    const startedAt = performance.now();
    const overran = { value: false };
    this.overran = overran;
    this.inFlightSince = startedAt;
    this.collectsTotal++;
    const run = (async () => {
      let report: DriverReport | undefined;
      let failure: string | undefined;
      const configRead = this.readConfigState();
      try {
        report = await this.driver.collect();
      } catch (error) {
        failure = `driver collect failed: ${(error as Error)?.message ?? String(error)}`;
      }
      this.configState = await configRead;
      const finished = performance.now();
      this.lastDurationMs = finished - startedAt;
      if (failure) {
        this.failuresTotal++;
        this.log({ level: "warn", msg: "collect failed", error: clip(failure) });
      }
      if (this.stopped) return;
      // Too late: a tick has already published DOWN for this collect.
      if (overran.value) {
        if (!failure) this.failuresTotal++;
        return;
      }
      if (failure) this.publish("DOWN", [failure]);
      else this.publishReport(report!);
    })();
    this.inFlight = run;
    void run.finally(() => {
      this.inFlight = undefined;
      if (this.refreshAfterCollect) {
        this.refreshAfterCollect = false;
        this.tick();
      }
    });
  }

  /** The managed configuration's checksum, reported with every snapshot so the console sees drift. */
  private configState: Snapshot["config"];

  private async readConfigState(): Promise<Snapshot["config"]> {
    const manager = this.driver.config;
    if (!manager) return undefined;
    try {
      const state = await manager.current();
      return { kind: manager.kind, checksum: state.checksum, ...(state.problem ? { problem: clip(state.problem) } : {}) };
    } catch (error) {
      return { kind: manager.kind, checksum: null, problem: clip(`cannot read the configuration: ${(error as Error).message}`) };
    }
  }

  private publishReport(report: DriverReport): void {
    const role = this.info.role;
    const section = (report as Record<string, unknown>)[role];
    if (section === undefined) {
      this.publish("DOWN", [`driver report has no "${role}" section`]);
      return;
    }
    this.publish(report.health, report.reasons, { [role]: section });
  }

  private publish(health: AgentHealth, reasons: string[], section: Record<string, unknown> = {}): void {
    const base = {
      type: "snapshot" as const,
      seq: this.seq + 1,
      at: new Date().toISOString(),
      agent: this.info,
      host: this.host.sample(),
      ...(this.configState ? { config: this.configState } : {}),
    };
    const clipped = reasons.slice(0, MAX_REASONS).map((r) => clip(String(r)));
    let parsed = snapshotSchema.safeParse({ ...base, health, reasons: clipped, ...section });
    if (!parsed.success) {
      // Never send the worker something it would refuse: say what was wrong instead.
      const issue = parsed.error.issues[0];
      const where = issue?.path.join(".") ?? "";
      const reason = clip(`driver report is invalid at ${where}: ${issue?.message ?? "unknown"}`);
      this.log({ level: "error", msg: "invalid driver report", reason });
      parsed = snapshotSchema.safeParse({ ...base, health: "DOWN", reasons: [reason] });
      if (!parsed.success) throw new Error(`agent built an invalid snapshot: ${parsed.error.message}`);
    }
    const snap = parsed.data;
    const changed = this.latest !== undefined && this.latest.health !== snap.health;
    if (changed && !this.confirming && !this.stopped) {
      this.confirming = true;
      setTimeout(() => this.refresh(), Math.min(CONFIRM_AFTER_MS, this.intervalMs / 2)).unref();
    } else {
      this.confirming = false;
    }
    this.seq = snap.seq;
    this.latest = snap;
    this.latestLine = JSON.stringify(snap) + "\n";
    for (const listener of [...this.listeners]) {
      try {
        listener(this.latestLine, snap);
      } catch (error) {
        this.log({ level: "error", msg: "snapshot listener failed", error: (error as Error).message });
      }
    }
  }
}
