// The rolling deployment of one configuration revision (operation kind
// "config.deploy"), batch by batch:
//   - each target of a batch is sent the revision; it counts as done only when
//     its agent answers with the revision's checksum (and, for HAProxy, once
//     the stored runtime overrides — drain, maintenance, weights — are put
//     back after the reload);
//   - the first failure stops the deployment: every target of that batch is
//     put back to what it ran before (recorded before it was touched), later
//     batches are skipped, and the operation ends FAILED with the reason;
//   - a cancel takes effect at the next batch boundary;
//   - every state change is persisted before the next step, so a worker that
//     takes over resumes where this one stopped (a target left IN_PROGRESS is
//     simply sent the revision again: applying is idempotent).
import { AGENT_PATHS, configApplyAnswer, configCurrentAnswer, type ConfigKind } from "@/lib/agent-protocol/types";
import { agentEndpointFor, type AgentSubject } from "@/lib/agents/service";
import { AgentCallError, callAgent, type AgentEndpoint } from "@/lib/agents/client";
import { operationKinds } from "@/lib/operations/kinds";
import type { Tx } from "@/lib/db/client";
import type { Executor, OperationContext } from "@/worker/operations";
import { restoreOverrides } from "@/worker/overrides";
import { configSecrets, redactSecrets } from "@/lib/agent-protocol/mask";

type Deployment = {
  id: string;
  targetType: string;
  targetId: string;
  batch: number;
  status: string;
  error: string | null;
  previousChecksum: string | null;
  previousRevisionId: string | null;
  previousContent: string | null;
};
type Revision = { id: string; scope: string; number: number; targetKind: ConfigKind; content: string; checksum: string; clusterId: string };

const APPLY_TIMEOUT_MS = 30_000;
const READ_TIMEOUT_MS = 10_000;

type Timeouts = { apply: number; read: number };

export type DeployOptions = {
  /** Test hook: called before each target is sent the revision (fault injection). */
  beforeApply?: (targetId: string) => Promise<void>;
  /** How long an agent may take to apply (and answer) before the target counts as failed. */
  applyTimeoutMs?: number;
};

export function deployExecutor(options: DeployOptions = {}): Executor {
  return (ctx) => runDeploy(ctx, options);
}

async function runDeploy(ctx: OperationContext, options: DeployOptions): Promise<void> {
  const { db, operationId } = ctx;
  const apply = options.applyTimeoutMs ?? APPLY_TIMEOUT_MS;
  const timeouts: Timeouts = { apply, read: Math.min(READ_TIMEOUT_MS, apply) };
  const op = await db.operation.findUniqueOrThrow({ where: { id: operationId }, select: { steps: true } });
  const params = await ctx.params(operationKinds["config.deploy"].params);
  const revision: Revision = await db.configRevision.findUniqueOrThrow({
    where: { id: params.revisionId },
    select: { id: true, scope: true, number: true, targetKind: true, content: true, checksum: true, clusterId: true },
  });
  // An agent's complaint may quote the line it refused (haproxy -c: "… but found '<word>'"): what is
  // recorded (steps, errors, events, audit), and read by every role, never holds the revision's secrets.
  const secrets = configSecrets(revision.targetKind, revision.content);
  const describe = (error: unknown) => redactSecrets(describeError(error), secrets);
  const endpoints = new Map<string, AgentEndpoint | null>();
  const endpointOf = async (d: Deployment) => {
    if (!endpoints.has(d.targetId)) endpoints.set(d.targetId, await agentEndpointFor(d.targetType as AgentSubject, d.targetId));
    return endpoints.get(d.targetId)!;
  };

  const load = () =>
    db.configDeployment.findMany({
      where: { operationId },
      orderBy: [{ batch: "asc" }, { id: "asc" }],
      select: {
        id: true,
        targetType: true,
        targetId: true,
        batch: true,
        status: true,
        error: true,
        previousChecksum: true,
        previousRevisionId: true,
        previousContent: true,
      },
    });
  let deployments: Deployment[] = await load();
  const batches = [...new Set(deployments.map((d) => d.batch))].sort((a, b) => a - b);
  if ((op.steps as unknown[]).length <= 1)
    await ctx.appendStep("started", `revision ${revision.number}, ${deployments.length} target(s) in ${batches.length} batch(es)`);
  else await ctx.appendStep("resumed", "a worker took over this deployment");

  for (const [index, batch] of batches.entries()) {
    ctx.signal.throwIfAborted();
    if (await ctx.cancelRequested()) return finish(ctx, revision, "CANCELLED", `cancelled before batch ${index + 1} of ${batches.length}`);
    deployments = await load();
    const inBatch = deployments.filter((d) => d.batch === batch);
    if (inBatch.every((d) => d.status === "SUCCEEDED")) continue;
    await ctx.appendStep(`batch ${index + 1}/${batches.length}`, inBatch.map((d) => d.targetId).join(", "));

    const results = await Promise.all(
      inBatch.map(async (d) => {
        if (d.status === "SUCCEEDED") return { d, ok: true as const };
        try {
          await options.beforeApply?.(d.targetId);
          await applyTo(ctx, revision, d, await endpointOf(d), timeouts);
          return { d, ok: true as const };
        } catch (error) {
          const message = describe(error);
          // Refused before anything was sent: nothing changed there, so there is nothing to put back.
          const untouched =
            error instanceof AgentCallError && error.notSent
              ? { previousChecksum: null, previousRevisionId: null, previousContent: null, status: "FAILED" as const }
              : {};
          await ctx.guard((tx) =>
            tx.configDeployment.update({ where: { id: d.id }, data: { status: "FAILED", error: message, finishedAt: new Date(), ...untouched } }),
          );
          await ctx.notify();
          return { d, ok: false as const, message };
        }
      }),
    );
    const failed = results.filter((r) => !r.ok);
    if (failed.length) {
      const first = failed[0] as { d: Deployment; message: string };
      await ctx.appendStep("putting the batch back", `${failed.length} target(s) failed; first: ${first.message}`);
      await putBack(ctx, revision, await load().then((all) => all.filter((d) => d.batch === batch)), endpointOf, timeouts, secrets);
      await ctx.guard((tx) => tx.configDeployment.updateMany({ where: { operationId, status: "PENDING" }, data: { status: "SKIPPED" } }));
      return finish(ctx, revision, "FAILED", `stopped at batch ${index + 1} of ${batches.length}: ${first.message}`);
    }
    if (params.pauseMs > 0 && index < batches.length - 1) {
      await ctx.appendStep("pause", `${params.pauseMs / 1000} s before the next batch`);
      const until = Date.now() + params.pauseMs;
      while (Date.now() < until) {
        ctx.signal.throwIfAborted();
        if (await ctx.cancelRequested()) break; // checked again at the top of the loop
        await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
      }
    }
  }
  return finish(ctx, revision, "SUCCEEDED", `revision ${revision.number} runs on all ${deployments.length} target(s)`);
}

/** Records what the target runs now (if not recorded yet), sends the revision, checks the answer. */
async function applyTo(ctx: OperationContext, revision: Revision, d: Deployment, endpoint: AgentEndpoint | null, timeouts: Timeouts): Promise<void> {
  if (!endpoint) throw new Error("no enrolled agent (credential revoked or agent address removed)");
  if (d.status === "PENDING") {
    // What to put back if this batch fails: the revision applied there, else the text the agent runs now.
    const state = await ctx.db.configTargetState.findUnique({
      where: { targetType_targetId: { targetType: d.targetType as AgentSubject, targetId: d.targetId } },
      select: { appliedRevisionId: true, appliedChecksum: true },
    });
    let previous: { previousRevisionId: string | null; previousChecksum: string | null; previousContent: string | null };
    if (state?.appliedRevisionId) previous = { previousRevisionId: state.appliedRevisionId, previousChecksum: state.appliedChecksum, previousContent: null };
    else {
      const running = await callAgent(endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, timeouts.read);
      previous = { previousRevisionId: null, previousChecksum: running.checksum, previousContent: running.content };
    }
    await ctx.guard((tx) => tx.configDeployment.update({ where: { id: d.id }, data: { ...previous, status: "IN_PROGRESS", startedAt: new Date() } }));
    Object.assign(d, previous, { status: "IN_PROGRESS" });
    await ctx.notify();
  }
  const answer = await callAgent(
    endpoint,
    "POST",
    AGENT_PATHS.configApply,
    { kind: revision.targetKind, content: revision.content, checksum: revision.checksum },
    configApplyAnswer,
    timeouts.apply,
  );
  if (answer.checksum !== revision.checksum)
    throw new Error(`the agent runs ${answer.checksum.slice(0, 12)}… after applying, not revision ${revision.number} (${revision.checksum.slice(0, 12)}…)`);
  if (revision.targetKind === "HAPROXY") await restoreOverrides(ctx.db, d.targetId, endpoint);
  await ctx.guard(async (tx) => {
    await tx.configDeployment.update({ where: { id: d.id }, data: { status: "SUCCEEDED", checksum: answer.checksum, error: null, finishedAt: new Date() } });
    await setApplied(tx, d, revision.scope, revision.id, revision.checksum, answer.checksum);
  });
  await ctx.notify();
}

/** Records what the target should run now; `running` is what its agent just said it runs. */
async function setApplied(tx: Tx, d: Deployment, scope: string, revisionId: string | null, checksum: string | null, running?: string) {
  const key = { targetType: d.targetType as AgentSubject, targetId: d.targetId };
  // driftSince is left to the recorder's drift check, which also records the drift's end as an event.
  const now = new Date();
  const data = {
    scope,
    appliedRevisionId: revisionId,
    appliedChecksum: checksum,
    appliedAt: now,
    ...(running ? { reportedChecksum: running, reportedAt: now } : {}),
  };
  await tx.configTargetState.upsert({ where: { targetType_targetId: key }, create: { ...key, ...data }, update: data });
}

/** Sends every target of a failed batch back to what it ran before; records what happened to each. */
async function putBack(
  ctx: OperationContext,
  revision: Revision,
  batch: Deployment[],
  endpointOf: (d: Deployment) => Promise<AgentEndpoint | null>,
  timeouts: Timeouts,
  secrets: string[],
) {
  await Promise.all(
    batch.map(async (d) => {
      if (d.status !== "SUCCEEDED" && d.status !== "FAILED" && d.status !== "IN_PROGRESS") return;
      if (d.status !== "SUCCEEDED" && d.previousChecksum === null && d.previousContent === null && d.previousRevisionId === null) return; // never touched
      let content = d.previousContent;
      if (d.previousRevisionId)
        content = (await ctx.db.configRevision.findUnique({ where: { id: d.previousRevisionId }, select: { content: true } }))?.content ?? null;
      const note = (text: string) =>
        ctx.guard((tx) =>
          tx.configDeployment.update({
            where: { id: d.id },
            data: d.status === "SUCCEEDED" ? { status: "ROLLED_BACK", error: text.replace(/^ — /, "") } : { error: `${d.error ?? ""}${text}`.slice(0, 2000) },
          }),
        );
      if (content === null || !d.previousChecksum) {
        await note(" — nothing known to put back (the target ran no configuration before)");
        return;
      }
      try {
        const endpoint = await endpointOf(d);
        if (!endpoint) throw new Error("no enrolled agent");
        // Skip targets already back on their old text (the agent undid a failed reload itself).
        const now = await callAgent(endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, timeouts.read).catch(() => null);
        if (now?.checksum !== d.previousChecksum) {
          const answer = await callAgent(
            endpoint,
            "POST",
            AGENT_PATHS.configApply,
            { kind: revision.targetKind, content, checksum: d.previousChecksum },
            configApplyAnswer,
            timeouts.apply,
          );
          if (answer.checksum !== d.previousChecksum) throw new Error(`runs ${answer.checksum.slice(0, 12)}… after putting back`);
        }
        if (revision.targetKind === "HAPROXY") await restoreOverrides(ctx.db, d.targetId, endpoint);
        await ctx.guard(async (tx) => {
          await tx.configDeployment.update({
            where: { id: d.id },
            data: d.status === "SUCCEEDED" ? { status: "ROLLED_BACK", error: "put back: another target of its batch failed" } : {},
          });
          await setApplied(tx, d, revision.scope, d.previousRevisionId, d.previousChecksum, d.previousChecksum ?? undefined);
        });
      } catch (error) {
        const known = [...secrets, ...configSecrets(revision.targetKind, content)];
        await note(` — could not put the previous configuration back: ${redactSecrets(describeError(error), known)}`);
      }
      await ctx.notify();
    }),
  );
}

function finish(ctx: OperationContext, revision: Revision, state: "SUCCEEDED" | "FAILED" | "CANCELLED", summary: string): Promise<void> {
  const ended = state === "SUCCEEDED" ? "finished" : state.toLowerCase();
  return ctx.finish({
    state,
    summary,
    event: {
      kind: state === "SUCCEEDED" ? "config.deployed" : state === "FAILED" ? "config.deploy-failed" : "config.deploy-cancelled",
      severity: state === "FAILED" ? "CRITICAL" : state === "CANCELLED" ? "WARNING" : "INFO",
      subjectType: "CONFIG",
      subjectId: revision.scope,
      clusterId: revision.clusterId,
      message: `Deployment of revision ${revision.number} (${revision.scope.split(".")[0]}) ${ended}: ${summary}`,
      data: { revision: revision.number },
    },
    audit: {
      action: "config.deploy.finish",
      targetType: "OPERATION",
      targetId: ctx.operationId,
      summary: { scope: revision.scope, revision: revision.number, state, summary },
    },
    // A cancelled deployment never sends what is left.
    also:
      state === "CANCELLED"
        ? (tx) => tx.configDeployment.updateMany({ where: { operationId: ctx.operationId, status: "PENDING" }, data: { status: "SKIPPED" } }).then(() => {})
        : undefined,
  });
}

function describeError(error: unknown): string {
  if (error instanceof AgentCallError) {
    const problems = (error.body?.problems as { line: number | null; message: string }[] | undefined) ?? [];
    return problems.length
      ? `${error.message} (${problems.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join("; ")})`.slice(0, 1500)
      : error.message;
  }
  return (error as Error)?.message ?? String(error);
}
