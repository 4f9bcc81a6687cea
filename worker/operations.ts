// Runs durable operations, of every kind in lib/operations/kinds.ts: config
// deployments, node drain / resume / maintenance, database promotion and
// rebuild (worker/executors.ts names the code that runs each).
// Only the leader worker runs this. An operation is claimed with a short
// lease that the runner renews while it works; when a leader dies, its
// leases run out and the next leader claims the operation and resumes it
// from the state persisted in the database, step by step. Every write an
// executor makes goes through `guard`, which refuses once the lease has
// passed to someone else, so a deposed worker cannot overwrite its successor.
import pg from "pg";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { OPERATIONS_CHANNEL } from "@/lib/realtime/messages";
import { publishChanged } from "@/lib/realtime/publish";
import { recordEvent, type EventRecord } from "@/lib/events/record";
import { recordAudit, type AuditRecord } from "@/lib/audit/service";
import { systemActor } from "@/lib/common/actor";
import { appendSteps, stepEntry } from "@/lib/operations/record";
import { isOperationKind, operationKinds, type OperationKind } from "@/lib/operations/kinds";

export class LeaseLost extends Error {
  constructor(operationId: string) {
    super(`operation ${operationId} is now run by another worker`);
  }
}

/** How an operation ended: written at once, with its event and its audit entry. */
export type Outcome = {
  state: "SUCCEEDED" | "FAILED" | "CANCELLED";
  /** One line: the last step's detail, and the operation's error unless it succeeded. */
  summary: string;
  event: EventRecord;
  /** The worker's audit entry (outcome follows the state). */
  audit: Omit<AuditRecord, "outcome">;
  /** Further writes in the same transaction (a deployment marks the targets it skipped). */
  also?: (tx: Tx) => Promise<void>;
};

export type OperationContext = {
  db: Db;
  operationId: string;
  holder: string;
  /** Aborted when this worker stops or loses leadership. */
  signal: AbortSignal;
  /** Runs fn in a transaction that first checks this worker still holds the operation. */
  guard<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The operation's params, read through its kind's schema (lib/operations/kinds.ts), older versions upgraded. */
  params<S extends z.ZodType>(schema: S): Promise<z.output<S>>;
  /** Its live figures so far (a worker that takes over continues from them). */
  progress<S extends z.ZodType>(schema: S): Promise<z.output<S>>;
  setProgress(progress: Prisma.InputJsonValue): Promise<void>;
  /**
   * Appends a step to the operation's history, sets it current, and wakes the web instances.
   * With `progress`, stores that too, in the same transaction (a step done and the record of it).
   */
  appendStep(step: string, detail?: string, progress?: Prisma.InputJsonValue): Promise<void>;
  /** Someone asked to stop it (only kinds with a cancel rule can be asked). */
  cancelRequested(): Promise<boolean>;
  /** Ends it: state, last step, event and audit entry in one transaction; then wakes the web instances. */
  finish(outcome: Outcome): Promise<void>;
  /** Wakes the web instances: the operation (and what it touches) changed. */
  notify(): Promise<void>;
};

export type Executor = (ctx: OperationContext) => Promise<void>;

export type RunnerOptions = {
  pollMs: number;
  leaseMs: number;
  /** A database URL to LISTEN on for queued operations, so they start at once rather than at the next poll. */
  listenUrl: string | null;
  /**
   * The worker lease (WorkerLease.name) this runner runs under, if any. Only
   * the lease holder runs operations, so an operation held by anyone else
   * belongs to a deposed leader: a new leader takes it at once instead of
   * waiting out its lease. The guard still fences the old holder's writes.
   */
  leaderLease: string | null;
};

export class OperationRunner {
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;
  private polling = false;
  private readonly options: RunnerOptions;

  constructor(
    private readonly db: Db,
    private readonly holder: string,
    private readonly executors: Partial<Record<OperationKind, Executor>>,
    options: Partial<RunnerOptions> = {},
  ) {
    this.options = { pollMs: 250, leaseMs: 5000, listenUrl: null, leaderLease: null, ...options };
  }

  private listener: pg.Client | null = null;

  /** LISTEN for queued operations; on any trouble, polling alone still finds them. */
  private async listen(): Promise<void> {
    if (!this.options.listenUrl || this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.listenUrl, keepAlive: true });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      void client.end().catch(() => {});
      if (!this.stopped) setTimeout(() => void this.listen(), 1000).unref();
    };
    this.listener = client;
    client.on("error", retry);
    client.on("end", retry);
    client.on("notification", () => void this.poll());
    try {
      await client.connect();
      await client.query(`LISTEN ${OPERATIONS_CHANNEL}`);
    } catch {
      retry();
    }
  }

  get active(): number {
    return this.running.size;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.poll().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
      });
    };
    tick();
    void this.listen();
    // Renew often enough that a busy event loop never lets a live lease lapse.
    this.renewTimer = setInterval(() => void this.renew(), Math.max(200, Math.floor(this.options.leaseMs / 4)));
  }

  /** Stops claiming, aborts running executors and waits (a while) for them to reach a safe point. */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.abort.abort();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, waitMs))]);
  }

  private pollAgain = false;

  private async poll(): Promise<void> {
    // A wake-up during a poll must not be lost: that poll may have missed the new row.
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      const kinds = Object.keys(this.executors).filter(isOperationKind);
      // Params newer than this release reads are left for an upgraded worker (a rolling
      // upgrade puts new web instances in front of an old leader for a while).
      const versions = kinds.map((k) => operationKinds[k].params.version);
      const claimable = await this.db.$queryRaw<{ id: string; kind: string }[]>`
        UPDATE "Operation" SET "leaseOwner" = ${this.holder},
          "leaseUntil" = now() + make_interval(secs => ${this.options.leaseMs / 1000}),
          "state" = CASE WHEN "state" = 'PENDING' THEN 'RUNNING'::"OperationState" ELSE "state" END,
          "startedAt" = coalesce("startedAt", now())
        WHERE "id" IN (
          SELECT "id" FROM "Operation"
          WHERE "state" IN ('PENDING', 'RUNNING') AND "kind" = ANY(${kinds}::text[])
            AND CASE WHEN jsonb_typeof("params"->'v') = 'number' THEN ("params"->>'v')::numeric ELSE 0 END
              <= (SELECT r.v FROM unnest(${kinds}::text[], ${versions}::int[]) AS r(kind, v) WHERE r.kind = "Operation"."kind")
            AND ("leaseOwner" IS NULL OR "leaseOwner" = ${this.holder} OR "leaseUntil" < now()
              OR ${this.options.leaderLease}::text IS NOT NULL AND EXISTS (
                SELECT 1 FROM "WorkerLease" WHERE "name" = ${this.options.leaderLease} AND "holder" = ${this.holder} AND "expiresAt" > now()))
            AND NOT ("id" = ANY(${[...this.running.keys()]}::text[]))
          ORDER BY "createdAt" LIMIT 10
          FOR UPDATE SKIP LOCKED)
        RETURNING "id", "kind"`;
      for (const op of claimable) this.launch(op.id, op.kind);
    } catch (error) {
      log.warn("operations.poll-failed", { error: String(error) });
    } finally {
      this.polling = false;
    }
    if (this.pollAgain && !this.stopped) {
      this.pollAgain = false;
      await this.poll();
    }
  }

  private async renew(): Promise<void> {
    const ids = [...this.running.keys()];
    if (!ids.length || this.stopped) return;
    await this.db.$executeRaw`
      UPDATE "Operation" SET "leaseUntil" = now() + make_interval(secs => ${this.options.leaseMs / 1000})
      WHERE "id" = ANY(${ids}::text[]) AND "leaseOwner" = ${this.holder}`.catch((error) => log.warn("operations.renew-failed", { error: String(error) }));
  }

  private launch(id: string, kind: string): void {
    // Only kinds this runner has executors for are claimed (the poll asks for them by name).
    const executor = isOperationKind(kind) ? this.executors[kind] : undefined;
    if (!executor) return;
    const ctx = this.context(id);
    log.info("operations.run", { id, kind, holder: this.holder });
    const run = executor(ctx)
      .catch(async (error) => {
        if (error instanceof LeaseLost || this.abort.signal.aborted) {
          log.warn("operations.interrupted", { id, why: String(error) });
          return;
        }
        // An executor bug or an unexpected failure: end the operation in a recorded state.
        log.error("operations.failed", { id, error: String(error) });
        await ctx
          .guard((tx) =>
            tx.operation.update({ where: { id }, data: { state: "FAILED", error: `internal error: ${String(error).slice(0, 900)}`, finishedAt: new Date() } }),
          )
          .catch(() => {});
        await ctx.notify().catch(() => {});
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private context(operationId: string): OperationContext {
    const { db, holder } = this;
    const guard = <T>(fn: (tx: Tx) => Promise<T>) =>
      db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ leaseOwner: string | null }[]>`SELECT "leaseOwner" FROM "Operation" WHERE "id" = ${operationId} FOR UPDATE`;
        if (rows[0]?.leaseOwner !== holder) throw new LeaseLost(operationId);
        return fn(tx);
      });
    const notify = () => publishChanged(db, "OPERATION", operationId);
    const read = async <S extends z.ZodType>(column: "params" | "progress", schema: S): Promise<z.output<S>> => {
      const row = await db.operation.findUniqueOrThrow({ where: { id: operationId }, select: { params: true, progress: true } });
      const parsed = schema.safeParse(row[column]);
      if (!parsed.success) throw new Error(`the operation's ${column} cannot be read: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    };
    return {
      db,
      operationId,
      holder,
      signal: this.abort.signal,
      guard,
      notify,
      params: (schema) => read("params", schema),
      progress: (schema) => read("progress", schema),
      async setProgress(progress) {
        await guard((tx) => tx.operation.update({ where: { id: operationId }, data: { progress } }));
        await notify();
      },
      async appendStep(step, detail, progress) {
        await guard(async (tx) => {
          if (progress !== undefined) await tx.operation.update({ where: { id: operationId }, data: { progress } });
          await appendSteps(tx, operationId, [stepEntry(step, detail)], { current: true });
        });
        await notify();
      },
      async cancelRequested() {
        const row = await db.operation.findUnique({ where: { id: operationId }, select: { cancelRequestedAt: true } });
        return !!row?.cancelRequestedAt;
      },
      async finish({ state, summary, event, audit, also }) {
        await guard(async (tx) => {
          await also?.(tx);
          await tx.operation.update({
            where: { id: operationId },
            data: { state, error: state === "SUCCEEDED" ? null : summary.slice(0, 2000), finishedAt: new Date() },
          });
          await appendSteps(tx, operationId, [stepEntry(state.toLowerCase(), summary)], { current: true });
          await recordEvent(tx, { ...event, data: { operationId, state, ...(isObject(event.data) ? event.data : {}) } });
          await recordAudit(
            tx,
            { actor: systemActor("worker"), requestId: `operation:${operationId}`, clientIp: null },
            { ...audit, outcome: state === "SUCCEEDED" ? "SUCCESS" : "FAILURE" },
          );
        });
        await notify();
      },
    };
  }
}

function isObject(value: unknown): value is Record<string, Prisma.InputJsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
