// Writes what the monitor learns. A health transition updates the target,
// adds an Event and notifies web instances, in one transaction. Per-snapshot
// facts (last seen, sessions, observed replication) and metric points are batched once a second,
// so the cost per agent stays flat as the fleet grows; samples are kept at
// 10 s resolution and downsampled later by the retention job.
import type { Db } from "@/lib/db/client";
import type { AgentTarget } from "@/lib/agents/service";
import type { MetricPoint } from "@/lib/realtime/messages";
import { publishChanged, publishMetrics } from "@/lib/realtime/publish";
import { recordEvent } from "@/lib/events/record";
import type { Transition } from "@/worker/health";
import { log } from "@/lib/log";
import type { Snapshot } from "@/lib/agent-protocol/types";
import { observedReplication, ReplicationWriter } from "@/worker/replication-state";
import { PostgresEvents } from "@/worker/postgres-events";

const severity = { DOWN: "CRITICAL", UNREACHABLE: "WARNING", DEGRADED: "WARNING", UP: "INFO", UNKNOWN: "WARNING" } as const;
/** How a health reads in an event's sentence ("app-1 is down", "up again (was agent unreachable)"). */
const said = { DOWN: "down", UNREACHABLE: "agent unreachable", DEGRADED: "degraded", UP: "up", UNKNOWN: "unknown" } as const;
const table = { NODE: "Node", LOAD_BALANCER: "LoadBalancer", DATABASE: "DatabaseInstance", POOLER: "Pooler" } as const;
const subjectWords = { NODE: "app node", LOAD_BALANCER: "load balancer", DATABASE: "database", POOLER: "connection pooler" } as const;
const SAMPLE_EVERY_MS = 10_000;
/** A reported checksum must differ from the applied one this long to count as drift (a deploy's ack lands meanwhile). */
export const DRIFT_GRACE_SECONDS = 5;

/** What the recorder needs to know about a watched target, agent or probe. */
export type Watchable = Pick<AgentTarget, "subjectType" | "id" | "name" | "clusterId">;

type Pending = { target: Watchable; seen: boolean; point: MetricPoint };
type SampleAcc = { target: Watchable; since: number; n: number; last: MetricPoint; sum: Record<string, number> };

export class Recorder {
  private pending = new Map<string, Pending>();
  private samples = new Map<string, SampleAcc>();
  private timer: NodeJS.Timeout | null = null;
  /** Last configuration checksum written per target, so only changes are written. */
  private reportedWritten = new Map<string, string | null>();
  private reportedPending = new Map<string, { target: Watchable; checksum: string | null }>();
  private lastDriftCheck = 0;
  private replication = new ReplicationWriter();
  /** Slot and archiving events of database members (worker/postgres-events.ts). */
  readonly postgresEvents: PostgresEvents;

  constructor(private readonly db: Db) {
    this.postgresEvents = new PostgresEvents(db);
  }

  /**
   * What a database member's agent says about replication (null: the agent
   * does not answer). Its observed state is written by the next flush when it
   * moved; slot and archiving transitions become events.
   */
  observePostgres(target: Watchable, snapshot: Snapshot | null): void {
    this.replication.observe(target.id, observedReplication(snapshot));
    if (snapshot?.postgres && snapshot.health !== "DOWN") this.postgresEvents.observe(target, snapshot.postgres);
  }

  /** A target no longer watched. */
  forget(target: Watchable): void {
    if (target.subjectType === "DATABASE") this.replication.forget(target.id);
  }

  /** What configuration a target's agent says it runs (from its snapshot). */
  observeConfig(target: Watchable, checksum: string | null): void {
    const key = `${target.subjectType}:${target.id}`;
    if (this.reportedWritten.get(key) === checksum && this.reportedWritten.has(key)) return;
    this.reportedPending.set(key, { target, checksum });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((e) => log.error("recorder.flush-failed", { error: String(e) })), 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => {});
    await this.postgresEvents.settled();
  }

  private transitions: { target: Watchable; t: Transition; at: Date; attempts: number }[] = [];
  private writing: Promise<void> | null = null;

  /**
   * Queues a health transition. They are written one at a time, in order, and
   * a write that fails (the pool is saturated, the database restarts) is
   * retried: the stored health must end up as the monitor sees it, and a
   * burst of thousands at start-up must not starve the lease renewal.
   */
  transition(target: Watchable, t: Transition, at = new Date()): Promise<void> {
    this.transitions.push({ target, t, at, attempts: 0 });
    this.writing ??= this.drainTransitions().finally(() => (this.writing = null));
    return this.writing;
  }

  private async drainTransitions(): Promise<void> {
    while (this.transitions.length) {
      const next = this.transitions[0]!;
      try {
        await this.writeTransition(next.target, next.t, next.at);
        this.transitions.shift();
      } catch (error) {
        next.attempts += 1;
        // Give up on one that keeps failing (about a minute), so it cannot block the rest.
        const giveUp = next.attempts >= 60;
        log[giveUp ? "error" : "warn"](giveUp ? "recorder.transition-dropped" : "recorder.transition-retry", {
          target: next.target.id,
          attempts: next.attempts,
          error: String(error),
        });
        if (giveUp) this.transitions.shift();
        else await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async writeTransition(target: Watchable, t: Transition, at: Date): Promise<void> {
    const kind = t.to === "UP" && t.from !== "UNKNOWN" ? "health.recovered" : `health.${t.to.toLowerCase()}`;
    const message =
      t.to === "UP"
        ? `${target.name} is up${t.from === "UNKNOWN" ? "" : ` again (was ${said[t.from]})`}`
        : t.to === "UNREACHABLE"
          ? // Its first reason says it: "agent unreachable; <evidence> still passes" (worker/agent-silence.ts).
            `${target.name}: ${t.reasons.length ? t.reasons.join("; ") : "agent unreachable"}`
          : `${target.name} is ${said[t.to]}${t.reasons.length ? `: ${t.reasons.join("; ")}` : ""}`;
    await this.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "${table[target.subjectType]}" SET "health" = $1::"Health", "updatedAt" = now() WHERE "id" = $2`, t.to, target.id);
      await recordEvent(tx, {
        at,
        kind,
        severity: severity[t.to],
        subjectType: target.subjectType,
        subjectId: target.id,
        clusterId: target.clusterId,
        message,
        data: { from: t.from, to: t.to, reasons: t.reasons.slice(0, 10), name: target.name },
      });
    });
  }

  /** Remember the newest facts; written by the next flush. `seen`: the target answered. */
  observe(target: Watchable, seen: boolean, point: MetricPoint): void {
    this.pending.set(point.key, { target, seen, point });
    const acc = this.samples.get(point.key);
    if (!acc) {
      this.samples.set(point.key, { target, since: point.at, n: 1, last: point, sum: numeric(point) });
    } else {
      acc.n += 1;
      acc.last = point;
      for (const [k, v] of Object.entries(numeric(point))) acc.sum[k] = (acc.sum[k] ?? 0) + v;
    }
  }

  async flush(now = Date.now()): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length) {
      const seen = batch.filter((p) => p.seen);
      const nodes = seen.filter((p) => p.target.subjectType === "NODE");
      if (nodes.length) {
        const ids = nodes.map((p) => p.target.id);
        const sessions = nodes.map((p) => Math.round(p.point.sessions ?? 0));
        const at = nodes.map((p) => new Date(p.point.at));
        await this.db.$executeRaw`
          UPDATE "Node" AS n SET "lastSeenAt" = v.at, "activeSessions" = v.sessions
          FROM unnest(${ids}::text[], ${at}::timestamp[], ${sessions}::int[]) AS v(id, at, sessions)
          WHERE n."id" = v.id`;
      }
      for (const type of ["LOAD_BALANCER", "DATABASE", "POOLER"] as const) {
        const rows = seen.filter((p) => p.target.subjectType === type);
        if (!rows.length) continue;
        const ids = rows.map((p) => p.target.id);
        const at = rows.map((p) => new Date(p.point.at));
        await this.db.$executeRawUnsafe(
          `UPDATE "${table[type]}" AS t SET "lastSeenAt" = v.at FROM unnest($1::text[], $2::timestamp[]) AS v(id, at) WHERE t."id" = v.id`,
          ids,
          at,
        );
      }
      await publishMetrics(
        this.db,
        batch.map((p) => p.point),
      );
    }
    await this.replication.flush(this.db, now);
    await this.writeSamples(now);
    await this.writeReportedConfig();
    if (now - this.lastDriftCheck >= 2000) {
      this.lastDriftCheck = now;
      await this.checkDrift();
    }
  }

  private async writeReportedConfig(): Promise<void> {
    if (!this.reportedPending.size) return;
    const batch = [...this.reportedPending.entries()];
    this.reportedPending.clear();
    const types = batch.map(([, p]) => p.target.subjectType);
    const ids = batch.map(([, p]) => p.target.id);
    const scopes = batch.map(([, p]) => scopeOf(p.target));
    const checksums = batch.map(([, p]) => p.checksum);
    await this.db.$executeRaw`
      INSERT INTO "ConfigTargetState" ("targetType", "targetId", "scope", "reportedChecksum", "reportedAt")
      SELECT v.t::"SubjectType", v.id, v.scope, v.checksum, now()
      FROM unnest(${types}::text[], ${ids}::text[], ${scopes}::text[], ${checksums}::text[]) AS v(t, id, scope, checksum)
      ON CONFLICT ("targetType", "targetId") DO UPDATE SET "reportedChecksum" = EXCLUDED."reportedChecksum", "reportedAt" = now()`;
    for (const [key, p] of batch) this.reportedWritten.set(key, p.checksum);
    // Open configuration pages show "in sync" or not from these: wake them.
    for (const scope of new Set(scopes)) await publishChanged(this.db, "CONFIG", scope);
  }

  /**
   * Drift: a target whose agent has reported, for a while, another checksum
   * than the revision deployed to it (a hand edit, a restore from backup).
   * Its start and its end are events; nothing is judged while a deployment
   * to that target is in flight.
   */
  private async checkDrift(): Promise<void> {
    const grace = DRIFT_GRACE_SECONDS;
    const started = await this.db.$queryRaw<
      { targetType: Watchable["subjectType"]; targetId: string; scope: string; appliedChecksum: string; reportedChecksum: string | null }[]
    >`
      UPDATE "ConfigTargetState" s SET "driftSince" = now()
      WHERE s."driftSince" IS NULL AND s."appliedChecksum" IS NOT NULL
        AND s."reportedChecksum" IS DISTINCT FROM s."appliedChecksum"
        AND s."reportedAt" < now() - make_interval(secs => ${grace}) AND s."appliedAt" < now() - make_interval(secs => ${grace})
        AND NOT EXISTS (SELECT 1 FROM "ConfigDeployment" d WHERE d."targetId" = s."targetId" AND d."status" = 'IN_PROGRESS')
      RETURNING s."targetType", s."targetId", s."scope", s."appliedChecksum", s."reportedChecksum"`;
    const ended = await this.db.$queryRaw<
      { targetType: Watchable["subjectType"]; targetId: string; scope: string; appliedChecksum: string | null; reportedChecksum: string | null }[]
    >`
      UPDATE "ConfigTargetState" s SET "driftSince" = NULL
      WHERE s."driftSince" IS NOT NULL AND (s."appliedChecksum" IS NULL OR s."reportedChecksum" = s."appliedChecksum")
      RETURNING s."targetType", s."targetId", s."scope", s."appliedChecksum", s."reportedChecksum"`;
    for (const [rows, drifting] of [
      [started, true],
      [ended, false],
    ] as const) {
      for (const r of rows) {
        const name = await this.nameOf(r.targetType, r.targetId);
        // Removed meanwhile: say what it was rather than quote its id.
        const who = name?.name ?? `A removed ${subjectWords[r.targetType]}`;
        await recordEvent(this.db, {
          kind: drifting ? "config.drift" : "config.drift-resolved",
          severity: drifting ? "WARNING" : "INFO",
          subjectType: r.targetType,
          subjectId: r.targetId,
          clusterId: name?.clusterId ?? null,
          message: drifting
            ? `${who} runs a configuration the console did not deploy (${r.reportedChecksum ? `checksum ${r.reportedChecksum.slice(0, 12)}…` : "none readable"}, expected ${r.appliedChecksum?.slice(0, 12)}…); reconcile to put it back`
            : `${who} runs the deployed configuration again`,
          data: { scope: r.scope, applied: r.appliedChecksum, reported: r.reportedChecksum },
        });
        await publishChanged(this.db, "CONFIG", r.scope);
      }
    }
  }

  private async nameOf(type: Watchable["subjectType"], id: string): Promise<{ name: string; clusterId: string } | null> {
    const where = { where: { id }, select: { name: true, clusterId: true } } as const;
    if (type === "NODE") return this.db.node.findUnique(where);
    if (type === "LOAD_BALANCER") return this.db.loadBalancer.findUnique(where);
    if (type === "POOLER") return this.db.pooler.findUnique(where);
    return this.db.databaseInstance.findUnique(where);
  }

  private async writeSamples(now: number): Promise<void> {
    const due = [...this.samples.values()].filter((s) => now - s.since >= SAMPLE_EVERY_MS);
    if (!due.length) return;
    for (const s of due) this.samples.delete(s.last.key);
    await this.db.healthSample.createMany({
      data: due.map((s) => {
        const avg = (k: string) => (k in s.sum ? s.sum[k]! / s.n : null);
        return {
          subjectType: s.target.subjectType,
          subjectId: s.target.id,
          at: new Date(s.last.at),
          resolution: "RAW" as const,
          health: s.last.health,
          sessions: avg("sessions") === null ? null : Math.round(avg("sessions")!),
          requestRate: avg("requestRate"),
          latencyMs: avg("latencyMs"),
          cpu: avg("cpu"),
          memory: avg("memory"),
          lagBytes: avg("lagBytes") === null ? null : BigInt(Math.round(avg("lagBytes")!)),
          lagSeconds: avg("lagSeconds"),
          data: s.last.backends ? { backends: s.last.backends } : undefined,
        };
      }),
    });
  }
}

/** The configuration scope a target belongs to (lib/config/scopes.ts). */
function scopeOf(t: Watchable): string {
  if (t.subjectType === "LOAD_BALANCER") return `haproxy.${t.id}`;
  return `${t.subjectType === "NODE" ? "app" : "postgres"}.${t.clusterId}`;
}

function numeric(p: MetricPoint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ["sessions", "requestRate", "latencyMs", "cpu", "memory", "lagBytes", "lagSeconds"] as const) {
    const v = p[k];
    if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
  }
  return out;
}
