// Promote a replica (operation kind "db.promote"), step by step, each safe to
// run again so a worker that takes over simply continues:
//   1. fence the old primary (read-only, sessions ended, stopped when its
//      agent may) — before anything else, so there are never two writable
//      primaries; an unreachable old primary is recorded as fenced by being
//      down and marked for rebuild, and fenced the moment it is seen again;
//   2. pg_promote() on the candidate (skipped if it already left recovery);
//   3. verify it left recovery on a newer timeline;
//   4. the inventory: candidate PRIMARY, old primary REPLICA needing rebuild;
//   5. re-point the other replicas at the new primary;
//   6. push the new endpoint to every app node: a new revision of the app
//      settings (same URL, new host and port), deployed all at once.
import { z } from "zod";
import { AGENT_PATHS, snapshot as snapshotSchema, type AgentAction } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { AgentCallError, callAgent } from "@/lib/agents/client";
import { systemActor } from "@/lib/common/actor";
import { publishChanged } from "@/lib/realtime/publish";
import { recordEvent } from "@/lib/events/record";
import { isDomainError } from "@/lib/common/errors";
import { operationKinds, promoteProgress } from "@/lib/operations/kinds";
import type { Executor, OperationContext } from "@/worker/operations";

const actionAnswer = z.looseObject({ ok: z.literal(true), result: z.unknown().optional() });

export type PromoteOptions = {
  /** Test hook: called before each step (fault injection: a worker dying at that step). */
  beforeStep?: (step: string) => Promise<void>;
};

async function act(type: "DATABASE", id: string, action: AgentAction) {
  const endpoint = await agentEndpointFor(type, id);
  if (!endpoint) throw new Error("no enrolled agent");
  return (await callAgent(endpoint, "POST", AGENT_PATHS.actions, action, actionAnswer, 90_000)).result as Record<string, unknown> | undefined;
}

async function status(id: string) {
  const endpoint = await agentEndpointFor("DATABASE", id);
  if (!endpoint) return null;
  try {
    const s = await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 5000);
    return s.postgres && s.health !== "DOWN" ? s.postgres : null;
  } catch {
    return null;
  }
}

export function promoteExecutor(options: PromoteOptions = {}): Executor {
  return async (ctx) => {
    const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true, reason: true, steps: true } });
    const p = await ctx.params(operationKinds["db.promote"].params);
    const clusterId = op.subjectId;
    const done = new Set([...p.doneBeforeUpgrade, ...(await ctx.progress(promoteProgress)).done]);
    const markDone = async (step: string, detail?: string) => {
      done.add(step);
      await ctx.appendStep(step, detail, { done: [...done] });
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

    // 1. Fence. The old primary's timeline comes from the check the request passed.
    const oldChecked = p.check.find((m) => m.id === oldPrimary?.id);
    const oldTimeline: number | null = oldChecked?.timeline ?? oldPrimary?.timeline ?? null;
    if (!done.has("fenced") && oldPrimary) {
      await options.beforeStep?.("fence");
      try {
        const r = await act("DATABASE", oldPrimary.id, { action: "postgres.fence" });
        await markDone("fenced", `${oldPrimary.name}: read-only, ${r?.sessionsEnded ?? 0} session(s) ended${r?.stopped ? ", stopped" : ""}`);
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

    // 2. Promote. A worker that took over first asks whether its predecessor got that far.
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

    // 3. Verify.
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

    // 4. Inventory.
    if (!done.has("inventory")) {
      await options.beforeStep?.("inventory");
      await ctx.guard(async (tx) => {
        if (oldPrimary)
          await tx.databaseInstance.update({ where: { id: oldPrimary.id }, data: { role: "REPLICA", fence: "NEEDS_REBUILD", replicationState: "UNKNOWN" } });
        await tx.databaseInstance.update({
          where: { id: candidate.id },
          data: { role: "PRIMARY", fence: "NONE", replicationState: "UNKNOWN", timeline: after.timeline },
        });
      });
      await publishChanged(ctx.db, "DATABASE");
      await markDone(
        "inventory",
        `${candidate.name} is the primary${oldPrimary ? `; ${oldPrimary.name} needs a rebuild (pg_rewind or a new base backup)` : ""}`,
      );
    }

    // 5. Re-point the other replicas.
    if (!done.has("repointed")) {
      await options.beforeStep?.("repoint");
      const others = await ctx.db.databaseInstance.findMany({
        where: { clusterId, role: "REPLICA", id: { notIn: [candidate.id, ...(oldPrimary ? [oldPrimary.id] : [])] } },
        select: { id: true, name: true },
      });
      const notes: string[] = [];
      for (const r of others) {
        try {
          await act("DATABASE", r.id, { action: "postgres.repoint", host: candidate.host, port: candidate.port });
          notes.push(`${r.name} follows ${candidate.name}`);
        } catch (error) {
          notes.push(`${r.name} could not be re-pointed: ${(error as Error).message}`);
        }
      }
      await markDone("repointed", notes.join("; ") || "no other replica");
    }

    // 6. The apps write to the new primary.
    if (!done.has("apps")) {
      await options.beforeStep?.("apps");
      const note = await pointApps(ctx, clusterId, candidate, op.reason);
      await markDone("apps", note);
    }
    return finish(
      ctx,
      clusterId,
      "SUCCEEDED",
      `${candidate.name} is the primary (timeline ${after.timeline})${oldPrimary ? `; ${oldPrimary.name} is fenced and needs a rebuild` : ""}`,
      candidate.name,
    );
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
export async function refenceFormerPrimary(db: OperationContext["db"], target: { id: string; name: string; clusterId: string }): Promise<void> {
  const result = await act("DATABASE", target.id, { action: "postgres.fence" });
  await recordEvent(db, {
    kind: "db.refenced",
    severity: "CRITICAL",
    subjectType: "DATABASE",
    subjectId: target.id,
    clusterId: target.clusterId,
    message: `${target.name}, a former primary, came back able to take writes: fenced again (read-only, ${result?.sessionsEnded ?? 0} session(s) ended${result?.stopped ? ", stopped" : ""}). Rebuild it as a replica.`,
    data: { result: (result ?? null) as never },
  });
}

/** Operation "db.rebuild": a former primary becomes a streaming replica of the current primary. */
export const rebuildExecutor: Executor = async (ctx) => {
  const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true } });
  const p = await ctx.params(operationKinds["db.rebuild"].params);
  const member = await ctx.db.databaseInstance.findUniqueOrThrow({ where: { id: op.subjectId }, select: { id: true, name: true, clusterId: true } });
  const primary = await ctx.db.databaseInstance.findUniqueOrThrow({ where: { id: p.primaryId }, select: { host: true, port: true, name: true } });
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
  await ctx.appendStep("rewinding", `pg_rewind from ${primary.name}, then start as its standby`);
  try {
    await act("DATABASE", member.id, { action: "postgres.rebuild", host: primary.host, port: primary.port });
  } catch (error) {
    return done("FAILED", `rebuild failed: ${(error as Error).message}; it stays fenced and marked for rebuild`);
  }
  const until = Date.now() + 60_000;
  for (;;) {
    const s = await status(member.id);
    if (s?.inRecovery && s.walReceiverStatus === "streaming") break;
    if (Date.now() > until) return done("FAILED", `restarted as a standby but not streaming from ${primary.name} after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await ctx.guard((tx) => tx.databaseInstance.update({ where: { id: member.id }, data: { fence: "NONE", replicationState: "STREAMING" } }));
  await publishChanged(ctx.db, "DATABASE");
  return done("SUCCEEDED", `a streaming replica of ${primary.name} again`);
};
