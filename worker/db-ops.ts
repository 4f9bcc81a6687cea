// Promote a replica (operation kind "db.promote"), step by step, each safe to
// run again so a worker that takes over simply continues:
//   0. hold the apps' writes (app nodes whose agent can) and PAUSE the
//      cluster's PgBouncer poolers: clients wait through the switch instead
//      of failing on a fenced primary; the apps are released right after
//      step 9, the poolers RESUMEd at step 5b, or before the promotion ends
//      in any other way (the poolers then still on the old primary);
//   1. fence the old primary (read-only, sessions ended) — before anything
//      else, so there are never two writable primaries; an unreachable old primary is recorded as fenced by being
//      down and marked for rebuild, and fenced the moment it is seen again;
//   2. wait (bounded) until the candidate has replayed the fenced primary's
//      last WAL position, so no write a client was told is committed is lost;
//      if it does not, the fence is lifted and nothing is promoted (unless forced);
//   3. stop the old primary when its agent may (its last WAL sent first);
//   4. pg_promote() on the candidate (skipped if it already left recovery);
//   5. verify it left recovery on a newer timeline;
//  5b. point the poolers' entries at the new primary (RELOAD), RESUME them;
//   6. the inventory: candidate PRIMARY; the old primary FENCED (stopped in
//      order and fully replayed: it can follow as it is) or NEEDS_REBUILD;
//   7. replication slots on the new primary, one per replica (PostgreSQL
//      does not carry them over); then synchronous_standby_names for the
//      new topology (the new primary names the remaining replicas, the old
//      primary included; the others get '');
//   8. re-point the other replicas at the new primary, each through its slot;
//   9. push the new endpoint to every app node: a new revision of the app
//      settings (same URL, new host and port), deployed all at once — unless
//      the URL names one of the cluster's poolers (retargeted at step 5b);
//  10. a FENCED old primary rejoins as a replica of the new one (standby
//      and new primary_conninfo; pg_rewind or a clone only if it cannot follow).
import { slotNameFor } from "@/lib/agent-protocol/postgres-slots";
import { applicationNameFor } from "@/lib/agent-protocol/sync-standbys";
import { AgentCallError } from "@/lib/agents/client";
import { systemActor } from "@/lib/common/actor";
import { publishChanged } from "@/lib/realtime/publish";
import { recordEvent } from "@/lib/events/record";
import { isDomainError } from "@/lib/common/errors";
import { lsnToBytes } from "@/lib/operations/databases";
import { operationKinds, promoteProgress } from "@/lib/operations/kinds";
import type { Executor, OperationContext } from "@/worker/operations";
import { act, status } from "@/worker/db-agent";
import { keepSlots } from "@/worker/db-slots";
import { appWriteHold } from "@/worker/app-hold";
import { poolerHold } from "@/worker/pooler-hold";
import { APP_HOLD_MAX_MS } from "@/lib/agent-protocol/types";
import { clearSyncStandbys, setSyncStandbys } from "@/worker/db-sync";

/** How long a switchover waits for the candidate to replay the fenced primary's last WAL. */
export const CATCH_UP_WAIT_MS = 30_000;
/** A rebuild may copy the whole database (a clone): the agent gets this long to answer. */
const REBUILD_TIMEOUT_MS = 15 * 60_000;

export type PromoteOptions = {
  /** Test hook: called before each step (fault injection: a worker dying at that step). */
  beforeStep?: (step: string) => Promise<void>;
  /** How long to wait for the candidate to catch up (tests shorten it). */
  catchUpWaitMs?: number;
};

type Member = { id: string; name: string };

const WAL_PAGE = 8192n;
const WAL_SEGMENT = 16n * 1024n * 1024n;
/**
 * The insert position right past a WAL page header is where the previous
 * record ended, as a replica reports it: an idle primary whose last record
 * filled a page says 0/3000028 while its replica has replayed to 0/3000000
 * (40 bytes: a segment's long page header; 24: any other page's), and would
 * wait for the next record to "catch up".
 */
const bytesToLsn = (b: bigint) => `${(b >> 32n).toString(16).toUpperCase()}/${(b & 0xffffffffn).toString(16).toUpperCase()}`;

function recordEnd(insertLsn: bigint): bigint {
  if (insertLsn % WAL_SEGMENT === 40n) return insertLsn - 40n;
  if (insertLsn % WAL_PAGE === 24n) return insertLsn - 24n;
  return insertLsn;
}

/**
 * The member streams from `primary` again: it follows as it is when it can,
 * else pg_rewind, else a fresh clone (the agent picks and says which).
 * The agent's steps are appended to the operation.
 */
async function rejoin(ctx: OperationContext, member: Member, primary: { host: string; port: number; name: string }, withSlot: boolean) {
  // Through its slot only when the primary has it: a missing slot would keep it from streaming.
  const slot = withSlot ? { slot: slotNameFor(member.id) } : {};
  const r = await act(
    "DATABASE",
    member.id,
    { action: "postgres.rebuild", host: primary.host, port: primary.port, applicationName: applicationNameFor(member.name), ...slot },
    REBUILD_TIMEOUT_MS,
  );
  const steps = Array.isArray(r?.steps) ? (r.steps as unknown[]).filter((s): s is string => typeof s === "string") : [];
  for (const step of steps.slice(0, 50)) await ctx.appendStep(member.name, step.slice(0, 300));
  const method = typeof r?.method === "string" ? r.method : "rebuild";
  // Streaming, as the member itself says (bounded).
  const until = Date.now() + 60_000;
  for (;;) {
    const s = await status(member.id);
    if (s?.inRecovery && s.walReceiverStatus === "streaming") {
      // Slots it made as a primary would hold its WAL back now: dropped.
      if (withSlot) await act("DATABASE", member.id, { action: "postgres.use-slot", slot: slotNameFor(member.id) }).catch(() => {});
      // So are the standbys it named: promoted again some day, it would wait for members that do not follow it.
      await clearSyncStandbys(ctx.db, member.id).catch(() => {});
      return method;
    }
    if (Date.now() > until) throw new Error(`restarted as a standby (${method}) but not streaming from ${primary.name} after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function promoteExecutor(options: PromoteOptions = {}): Executor {
  const steps = promoteSteps(options);
  return async (ctx) => {
    const writes = appWriteHold(ctx);
    const pools = poolerHold(ctx);
    // A hold must never outlive the promotion: released before it finishes, however it finishes, and when it throws.
    const release = () => Promise.all([writes.release(), pools.resume()]);
    const finish: OperationContext["finish"] = async (outcome) => {
      await release();
      await ctx.finish(outcome);
    };
    try {
      await steps({ ...ctx, finish }, writes, pools);
    } finally {
      await release();
    }
  };
}

function promoteSteps(options: PromoteOptions) {
  const catchUpWaitMs = options.catchUpWaitMs ?? CATCH_UP_WAIT_MS;
  // Long enough for the catch-up wait and the steps after it, within what an app accepts.
  const holdMs = Math.min(APP_HOLD_MAX_MS, catchUpWaitMs + 10_000);
  return async (ctx: OperationContext, writes: ReturnType<typeof appWriteHold>, pools: ReturnType<typeof poolerHold>) => {
    const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true, reason: true, steps: true } });
    const p = await ctx.params(operationKinds["db.promote"].params);
    const clusterId = op.subjectId;
    const progress = await ctx.progress(promoteProgress);
    const done = new Set([...p.doneBeforeUpgrade, ...progress.done]);
    let fence = progress.fence;
    let caughtUp = progress.caughtUp;
    const markDone = async (step: string, detail?: string) => {
      done.add(step);
      await ctx.appendStep(step, detail, { done: [...done], ...(fence ? { fence } : {}), ...(caughtUp !== undefined ? { caughtUp } : {}) });
    };
    const candidate = await ctx.db.databaseInstance.findUniqueOrThrow({
      where: { id: p.candidateId },
      select: { id: true, name: true, host: true, port: true },
    });
    const oldPrimary = p.oldPrimaryId
      ? await ctx.db.databaseInstance.findUnique({ where: { id: p.oldPrimaryId }, select: { id: true, name: true, timeline: true } })
      : null;
    const taken = (op.steps as { step: string }[]).some((s) => s.step === "started");
    if (taken) await ctx.appendStep("resumed", `a worker took over${done.size ? ` after: ${[...done].join(", ")}` : " before any step was done"}`);
    else await ctx.appendStep("started", `promote ${candidate.name}${oldPrimary ? `; fence ${oldPrimary.name} first` : ""}`);

    // 0. Hold the apps' writes. A worker that takes over before the apps step holds
    // again (it moves the bound); after it, it releases whatever its predecessor held.
    // The poolers likewise, up to the step that retargets and resumes them.
    if (!done.has("apps")) {
      await options.beforeStep?.("hold");
      const [held, paused] = await Promise.all([writes.hold(clusterId, holdMs), done.has("retargeted") ? null : pools.pause(clusterId, candidate.id)]);
      await ctx.appendStep("held", held);
      if (paused !== null) await ctx.appendStep("paused", paused);
    } else await writes.adoptAll(clusterId);
    if (done.has("retargeted")) pools.adopt(clusterId);

    // 1. Fence: read-only and sessions ended, still running so the candidate
    // can receive its last WAL. The old primary's timeline comes from the check the request passed.
    const oldChecked = p.check.find((m) => m.id === oldPrimary?.id);
    const oldTimeline: number | null = oldChecked?.timeline ?? oldPrimary?.timeline ?? null;
    if (!done.has("fenced") && oldPrimary) {
      await options.beforeStep?.("fence");
      try {
        const r = await act("DATABASE", oldPrimary.id, { action: "postgres.fence", stop: false });
        fence = { lastLsn: typeof r?.lastLsn === "string" ? r.lastLsn : null, stopped: false, canStop: r?.canStop !== false };
        await markDone(
          "fenced",
          `${oldPrimary.name}: read-only, ${r?.sessionsEnded ?? 0} session(s) ended${fence.lastLsn ? `; its WAL ends at ${fence.lastLsn}` : ""}`,
        );
      } catch (error) {
        const unreachable = error instanceof AgentCallError && error.status === 0;
        const down = !(await status(oldPrimary.id));
        if (!(unreachable || down)) {
          // It answers but refuses the fence: promoting now could leave two writable primaries.
          return finish(ctx, clusterId, "FAILED", `could not fence ${oldPrimary.name}: ${(error as Error).message}; nothing was promoted`, candidate.name);
        }
        await markDone("fenced", `${oldPrimary.name} is unreachable: fenced by being down; it is fenced the moment it is seen again`);
      }
    }

    // 2. Wait until the candidate has every write the fenced primary acknowledged.
    if (!done.has("caught-up") && fence?.lastLsn) {
      await options.beforeStep?.("catch-up");
      const target = recordEnd(lsnToBytes(fence.lastLsn)!);
      // One call: the candidate's agent polls its own server (every 10 ms) up to the bound.
      const waited = await act(
        "DATABASE",
        candidate.id,
        { action: "postgres.wait-replay", lsn: bytesToLsn(target), timeoutMs: catchUpWaitMs },
        catchUpWaitMs + 15_000,
      ).catch(() => null);
      // A worker that took over may find the candidate already promoted (it answers 409 then).
      const replayed = waited ? lsnToBytes(String(waited.replayedLsn ?? "")) : lsnToBytes((await status(candidate.id))?.currentLsn);
      caughtUp = waited?.caughtUp === true || (replayed !== null && replayed >= target);
      if (!caughtUp && !p.force && oldPrimary) {
        // Nothing was promoted: the old primary goes back to taking writes rather than leave the cluster without one.
        const behind = replayed === null ? "an unknown amount" : `${target - replayed} bytes`;
        const lifted = await act("DATABASE", oldPrimary.id, { action: "postgres.unfence" }).then(
          () => `${oldPrimary.name} takes writes again`,
          (error: Error) => `lifting ${oldPrimary.name}'s fence failed too (${error.message}): it is read-only`,
        );
        return finish(
          ctx,
          clusterId,
          "FAILED",
          `${candidate.name} did not replay ${oldPrimary.name}'s last WAL (${fence.lastLsn}) within ${catchUpWaitMs / 1000} s: ${behind} behind. Nothing was promoted; ${lifted}. Promote with force to accept losing those writes, or pick a caught-up replica`,
          candidate.name,
        );
      }
      await markDone(
        "caught-up",
        caughtUp
          ? `${candidate.name} replayed ${oldPrimary?.name}'s WAL up to ${fence.lastLsn}`
          : `forced: ${candidate.name} had not replayed up to ${fence.lastLsn} after ${catchUpWaitMs / 1000} s; writes after ${replayed === null ? "its last known position" : "its replay position"} are lost`,
      );
    }

    // 3. Stop the fenced primary (when its agent may): in order, its last WAL
    // sent, so it can follow the new primary later without a rewind.
    if (!done.has("stopped") && oldPrimary && fence && fence.canStop === false) {
      // Its agent may not stop it (no pg_ctl section): fenced is as far as it goes.
      await markDone("stopped", `${oldPrimary.name} stays up, read-only (its agent may not stop it)`);
    } else if (!done.has("stopped") && oldPrimary && fence) {
      await options.beforeStep?.("stop");
      try {
        const r = await act("DATABASE", oldPrimary.id, { action: "postgres.fence", stop: true });
        fence = { ...fence, stopped: r?.stopped === true };
        await markDone("stopped", fence.stopped ? `${oldPrimary.name} stopped` : `${oldPrimary.name} stays up, read-only (its agent may not stop it)`);
      } catch (error) {
        // Already stopped (a worker before us), or gone: it stays fenced either way.
        fence = { ...fence, stopped: !(await status(oldPrimary.id)) };
        await markDone(
          "stopped",
          `${oldPrimary.name}: ${fence.stopped ? "not running" : `could not be stopped (${(error as Error).message}): it stays read-only`}`,
        );
      }
    }

    // 4. Promote. A worker that took over first asks whether its predecessor got that far.
    let after: { inRecovery: boolean; timeline: number | null } | null = null;
    if (!done.has("promoted")) {
      await options.beforeStep?.("promote");
      const now = taken ? await status(candidate.id) : null;
      if (now && !now.inRecovery) {
        after = now;
        await markDone("promoted", `${candidate.name} had already left recovery`);
      } else {
        try {
          const r = await act("DATABASE", candidate.id, { action: "postgres.promote", waitSeconds: 60 });
          // The agent answers from the server itself, after pg_promote(): no stale snapshot.
          after = { inRecovery: r?.inRecovery === true, timeline: typeof r?.timeline === "number" ? r.timeline : null };
          await markDone("promoted", `${candidate.name} promoted: timeline ${r?.timeline}, at ${r?.lsn}`);
        } catch (error) {
          return finish(
            ctx,
            clusterId,
            "FAILED",
            `pg_promote() on ${candidate.name} failed: ${(error as Error).message}; the old primary stays fenced: promote again or rebuild`,
            candidate.name,
          );
        }
      }
    }

    // 5. Verify.
    await options.beforeStep?.("verify");
    after ??= await status(candidate.id);
    if (!after || after.inRecovery) return finish(ctx, clusterId, "FAILED", `${candidate.name} is not a primary after pg_promote()`, candidate.name);
    if (oldTimeline !== null && after.timeline !== null && after.timeline <= oldTimeline) {
      return finish(
        ctx,
        clusterId,
        "FAILED",
        `${candidate.name} is on timeline ${after.timeline}, not newer than the old primary's ${oldTimeline}`,
        candidate.name,
      );
    }
    if (!done.has("verified")) await markDone("verified", `${candidate.name} writes on timeline ${after.timeline}`);

    // 5b. The poolers' clients go on, on the new primary: first of all, they are waiting.
    if (!done.has("retargeted")) {
      await options.beforeStep?.("retarget");
      await markDone("retargeted", await pools.retarget(clusterId, candidate));
    }

    // 6. Inventory. Stopped in order with nothing left unreplayed: it can follow the new primary as it is.
    const canRejoin = fence?.stopped === true && caughtUp === true;
    if (!done.has("inventory")) {
      await options.beforeStep?.("inventory");
      await ctx.guard(async (tx) => {
        if (oldPrimary)
          await tx.databaseInstance.update({
            where: { id: oldPrimary.id },
            data: { role: "REPLICA", fence: canRejoin ? "FENCED" : "NEEDS_REBUILD", replicationState: "UNKNOWN" },
          });
        await tx.databaseInstance.update({
          where: { id: candidate.id },
          data: { role: "PRIMARY", fence: "NONE", replicationState: "UNKNOWN", timeline: after.timeline },
        });
      });
      await publishChanged(ctx.db, "DATABASE");
      await markDone(
        "inventory",
        `${candidate.name} is the primary${oldPrimary ? `; ${oldPrimary.name} ${canRejoin ? "is fenced and rejoins as a replica" : "needs a rebuild (pg_rewind or a fresh clone)"}` : ""}`,
      );
    }

    // 7. Slots: the new primary holds WAL for every replica, the old primary included.
    // Run again by a worker that takes over (it is idempotent): the re-pointing below needs to know it held.
    await options.beforeStep?.("slots");
    const slots = await keepSlots(ctx.db, clusterId, candidate);
    await markDone("slots", slots.note);

    // 7b. Synchronous replication for the new topology. Run again by a worker that takes over (idempotent).
    await options.beforeStep?.("sync");
    const sync = await setSyncStandbys(ctx.db, clusterId, candidate).catch((error: Error) => `synchronous_standby_names not set: ${error.message}`);
    await markDone("sync", sync);

    // 8. Re-point the other replicas.
    if (!done.has("repointed")) {
      await options.beforeStep?.("repoint");
      const others = await ctx.db.databaseInstance.findMany({
        where: { clusterId, role: "REPLICA", id: { notIn: [candidate.id, ...(oldPrimary ? [oldPrimary.id] : [])] } },
        select: { id: true, name: true },
      });
      const notes: string[] = [];
      for (const r of others) {
        try {
          // Through its slot only when the new primary has it: a missing slot would stop its streaming.
          const slot = slots.ok ? { slot: slotNameFor(r.id) } : {};
          await act("DATABASE", r.id, { action: "postgres.repoint", host: candidate.host, port: candidate.port, ...slot });
          notes.push(`${r.name} follows ${candidate.name}`);
        } catch (error) {
          notes.push(`${r.name} could not be re-pointed: ${(error as Error).message}`);
        }
      }
      await markDone("repointed", notes.join("; ") || "no other replica");
    }

    // 9. The apps write to the new primary.
    if (!done.has("apps")) {
      await options.beforeStep?.("apps");
      const note = await pointApps(ctx, clusterId, candidate, op.reason);
      await markDone("apps", note);
    }
    await options.beforeStep?.("release");
    await writes.release();

    // 10. The old primary rejoins, after the apps: they must not wait for it.
    let oldNote = oldPrimary ? `; ${oldPrimary.name} is fenced and needs a rebuild` : "";
    if (oldPrimary && canRejoin) {
      if (!done.has("rejoined")) {
        await options.beforeStep?.("rejoin");
        try {
          const method = await rejoin(ctx, oldPrimary, candidate, slots.ok);
          await ctx.guard((tx) => tx.databaseInstance.update({ where: { id: oldPrimary.id }, data: { fence: "NONE" } }));
          await publishChanged(ctx.db, "DATABASE");
          await markDone("rejoined", `${oldPrimary.name} streams from ${candidate.name} (${method})`);
        } catch (error) {
          await ctx.guard((tx) => tx.databaseInstance.update({ where: { id: oldPrimary.id }, data: { fence: "NEEDS_REBUILD" } }));
          await publishChanged(ctx.db, "DATABASE");
          await markDone("rejoin-failed", `${oldPrimary.name} could not rejoin: ${(error as Error).message}; rebuild it`);
        }
      }
      oldNote = done.has("rejoined") ? `; ${oldPrimary.name} rejoined as its replica` : `; ${oldPrimary.name} could not rejoin and needs a rebuild`;
    }
    return finish(ctx, clusterId, "SUCCEEDED", `${candidate.name} is the primary (timeline ${after.timeline})${oldNote}`, candidate.name);
  };
}

/** A new app-settings revision with the database URL's host and port replaced, deployed to every app node at once. */
async function pointApps(ctx: OperationContext, clusterId: string, primary: { host: string; port: number; name: string }, reason: string): Promise<string> {
  const { createRevision } = await import("@/lib/config/revisions");

  const { startDeployment } = await import("@/lib/config/deployments");
  const scope = `app.${clusterId}`;
  const latest = await ctx.db.configRevision.findFirst({ where: { scope }, orderBy: { number: "desc" }, select: { id: true, input: true } });
  if (!latest) return "no app settings revision yet: the apps were not told (deploy app settings to manage their endpoint)";
  const input = structuredClone(latest.input) as { database: { url: string } };
  const url = new URL(input.database.url);
  // Through a pooler: the URL stays, the pooler was pointed at the new primary.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const pooler = (await ctx.db.pooler.findMany({ where: { clusterId }, select: { name: true, host: true, port: true } })).find(
    (p) => p.host.toLowerCase() === host && p.port === Number(url.port || 5432),
  );
  if (pooler) return `the apps reach the database through ${pooler.name}: retargeted there`;
  url.hostname = primary.host.includes(":") ? `[${primary.host}]` : primary.host;
  url.port = String(primary.port);
  input.database.url = url.toString();
  const audit = { actor: systemActor("worker"), requestId: `operation:${ctx.operationId}`, clientIp: null };
  let revisionId = latest.id;
  try {
    revisionId = (await createRevision(scope, { input, message: `Primary is now ${primary.name} (promotion)` }, audit)).id;
  } catch (error) {
    // Already this content (a previous worker saved it): deploy the latest.
    if (!isDomainError(error, "invalid")) throw error;
  }
  const running = await ctx.db.operation.findFirst({
    where: { kind: "config.deploy", subjectId: scope, state: { in: ["PENDING", "RUNNING"] } },
    select: { id: true },
  });
  const deployId =
    running?.id ??
    (await startDeployment(revisionId, { batchSize: 500, pauseSeconds: 0, reason: `promotion: ${reason}` }, audit, `promote:${ctx.operationId}`)).id;
  // This runner runs the deployment too: wait for it (bounded).
  const until = Date.now() + 60_000;
  for (;;) {
    const d = await ctx.db.operation.findUniqueOrThrow({ where: { id: deployId }, select: { state: true, error: true } });
    if (d.state === "SUCCEEDED") return `every app node now writes to ${primary.name} (deployment ${deployId})`;
    if (d.state === "FAILED" || d.state === "CANCELLED") return `pointing the apps failed: ${d.error} (deployment ${deployId}); reconcile them`;
    if (Date.now() > until) return `the apps' deployment ${deployId} is still running`;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function finish(ctx: OperationContext, clusterId: string, state: "SUCCEEDED" | "FAILED", summary: string, candidateName: string) {
  return ctx.finish({
    state,
    summary,
    event: {
      kind: state === "SUCCEEDED" ? "db.promoted" : "db.promote-failed",
      severity: state === "SUCCEEDED" ? "WARNING" : "CRITICAL",
      subjectType: "CLUSTER",
      subjectId: clusterId,
      clusterId,
      message: `Promotion of ${candidateName}: ${summary}`,
    },
    audit: { action: "db.promote.finish", targetType: "CLUSTER", targetId: clusterId, summary: { operationId: ctx.operationId, state, summary } },
  });
}

/**
 * A former primary (NEEDS_REBUILD) was seen out of recovery, i.e. able to
 * take writes: it was down when its promotion fenced it, and came back. Fence
 * it now, and say so.
 */
export async function refenceFormerPrimary(db: OperationContext["db"], target: { id: string; name: string; clusterId: string }): Promise<boolean> {
  // The monitor's copy of the inventory may be seconds old: a member that
  // rejoined since and was promoted again must not be stopped as a "former primary".
  const now = await db.databaseInstance.findUnique({ where: { id: target.id }, select: { fence: true } });
  if (!now || now.fence === "NONE") return false;
  const result = await act("DATABASE", target.id, { action: "postgres.fence", stop: true });
  await recordEvent(db, {
    kind: "db.refenced",
    severity: "CRITICAL",
    subjectType: "DATABASE",
    subjectId: target.id,
    clusterId: target.clusterId,
    message: `${target.name}, a former primary, came back able to take writes: fenced again (read-only, ${result?.sessionsEnded ?? 0} session(s) ended${result?.stopped ? ", stopped" : ""}). Rebuild it as a replica.`,
    data: { result: (result ?? null) as never },
  });
  return true;
}

/**
 * Operation "db.rebuild": a replica (a fenced former primary, or one that
 * cannot stream) becomes a streaming replica of the current primary. Its
 * slot is made on the primary first, so the WAL it needs from the moment it
 * starts is kept for it.
 */
export const rebuildExecutor: Executor = async (ctx) => {
  const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true } });
  const p = await ctx.params(operationKinds["db.rebuild"].params);
  const member = await ctx.db.databaseInstance.findUniqueOrThrow({ where: { id: op.subjectId }, select: { id: true, name: true, clusterId: true } });
  const primary = await ctx.db.databaseInstance.findUniqueOrThrow({ where: { id: p.primaryId }, select: { id: true, host: true, port: true, name: true } });
  const done = (state: "SUCCEEDED" | "FAILED", summary: string) =>
    ctx.finish({
      state,
      summary,
      event: {
        kind: state === "SUCCEEDED" ? "db.rebuilt" : "db.rebuild-failed",
        severity: state === "SUCCEEDED" ? "INFO" : "CRITICAL",
        subjectType: "DATABASE",
        subjectId: member.id,
        clusterId: member.clusterId,
        message: `${member.name}: ${summary}`,
      },
      audit: { action: "db.rebuild.finish", targetType: "DATABASE", targetId: member.id, summary: { operationId: ctx.operationId, summary } },
    });
  const slots = await keepSlots(ctx.db, member.clusterId, primary);
  await ctx.appendStep("slots", slots.note);
  await ctx.appendStep("rebuilding", `${member.name} follows ${primary.name}: as it is when it can, else pg_rewind, else a fresh clone`);
  let method: string;
  try {
    method = await rejoin(ctx, member, primary, slots.ok);
  } catch (error) {
    // A fenced member that could not follow as it is now needs pg_rewind or a clone.
    await ctx.guard((tx) => tx.databaseInstance.updateMany({ where: { id: member.id, fence: "FENCED" }, data: { fence: "NEEDS_REBUILD" } }));
    return done(
      "FAILED",
      `rebuild failed: ${(error as Error).message}; it stays out of service (fenced if it was); a new rebuild resumes from where this one stopped`,
    );
  }
  await ctx.guard((tx) => tx.databaseInstance.update({ where: { id: member.id }, data: { fence: "NONE", replicationState: "STREAMING" } }));
  await publishChanged(ctx.db, "DATABASE");
  return done("SUCCEEDED", `a streaming replica of ${primary.name} again (${method})`);
};
