// What runs where: every configuration with its latest revision, drift and
// deployment in progress; one configuration's targets and history; what a
// target's agent runs against what it should. Secrets masked without config:write.
import "server-only";
import { db } from "@/lib/db";
import { notFound } from "@/lib/common/errors";
import { AGENT_PATHS, configCurrentAnswer, type ConfigKind } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { callAgent } from "@/lib/agents/client";
import { maskConfigInput, maskConfigText, maskData, maskText } from "@/lib/agent-protocol/mask";
import { readParams } from "@/lib/operations/kinds";
import { diffConfigs } from "./diff";
import { draftInput, renderScope } from "./render";
import { authorNames, revisionSelect, viewOf } from "./revisions";
import { allScopes, resolveScope, scopeTargets, targetTypeOf, type Scope, type ScopeTarget, type TargetType } from "./scopes";

export type TargetStateView = ScopeTarget & {
  appliedRevision: number | null;
  appliedChecksum: string | null;
  appliedAt: Date | null;
  reportedChecksum: string | null;
  reportedAt: Date | null;
  driftSince: Date | null;
};

async function targetStates(scope: Scope, targets: ScopeTarget[]): Promise<TargetStateView[]> {
  const states = await db.configTargetState.findMany({ where: { targetId: { in: targets.map((t) => t.id) } } });
  const revisionIds = states.map((s) => s.appliedRevisionId).filter((x): x is string => !!x);
  const numbers = new Map(
    (await db.configRevision.findMany({ where: { id: { in: revisionIds } }, select: { id: true, number: true } })).map((r) => [r.id, r.number]),
  );
  return targets.map((t) => {
    const s = states.find((x) => x.targetId === t.id && x.targetType === t.type);
    return {
      ...t,
      appliedRevision: s?.appliedRevisionId ? (numbers.get(s.appliedRevisionId) ?? null) : null,
      appliedChecksum: s?.appliedChecksum ?? null,
      appliedAt: s?.appliedAt ?? null,
      reportedChecksum: s?.reportedChecksum ?? null,
      reportedAt: s?.reportedAt ?? null,
      driftSince: s?.driftSince ?? null,
    };
  });
}

export async function listScopes() {
  const scopes = await allScopes();
  const latest = await db.configRevision.groupBy({ by: ["scope"], _max: { number: true } });
  const latestBy = new Map(latest.map((l) => [l.scope, l._max.number]));
  const drift = await db.configTargetState.groupBy({ by: ["scope"], where: { driftSince: { not: null } }, _count: { _all: true } });
  const driftBy = new Map(drift.map((d) => [d.scope, d._count._all]));
  const active = await db.operation.findMany({
    where: { kind: "config.deploy", state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
    select: { id: true, subjectId: true },
  });
  return scopes.map((s) => ({
    ...s,
    latestRevision: latestBy.get(s.key) ?? null,
    drifted: driftBy.get(s.key) ?? 0,
    activeDeployment: active.find((a) => a.subjectId === s.key)?.id ?? null,
  }));
}

export async function getScope(scopeKey: string, showSecrets: boolean, page: { revisionsLimit: number }) {
  const scope = await resolveScope(scopeKey);
  const [targets, revisions, operations] = await Promise.all([
    scopeTargets(scope),
    db.configRevision.findMany({ where: { scope: scope.key }, orderBy: { number: "desc" }, take: page.revisionsLimit, select: revisionSelect }),
    db.operation.findMany({
      where: { kind: "config.deploy", subjectId: scope.key },
      orderBy: { createdAt: "desc" },
      take: 10,
      select: { id: true, state: true, params: true, reason: true, error: true, createdAt: true, finishedAt: true },
    }),
  ]);
  const authors = await authorNames(revisions.map((r) => r.authorId));
  return {
    scope,
    // An agent URL is an address, but one written with user:password@ must not show it.
    targets: (await targetStates(scope, targets)).map((t) => ({ ...t, agentUrl: t.agentUrl === null ? null : maskText(t.agentUrl) })),
    revisions: revisions.map((r) => viewOf(r, authors, showSecrets)),
    // Reasons and agents' errors are free text: they may quote a URL or a line.
    deployments: operations.map((o) => ({
      ...o,
      reason: maskText(o.reason),
      error: o.error === null ? null : maskText(o.error),
      params: readParams("config.deploy", maskData(o.params)),
    })),
    canDeploy: targets.some((t) => t.enrolled),
  };
}

export async function getDraft(scopeKey: string, showSecrets: boolean) {
  const scope = await resolveScope(scopeKey);
  const input = await draftInput(scope);
  const rendered = await renderScope(scope, input).catch(() => null);
  return {
    input: showSecrets ? input : maskConfigInput(scope.kind, input),
    content: rendered ? (showSecrets ? rendered.content : maskConfigText(scope.kind, rendered.content)) : null,
    checksum: rendered?.checksum ?? null,
  };
}

/** Desired (the revision applied there, else the latest) against what the agent says it runs. */
export async function runningConfig(type: TargetType, id: string, showSecrets: boolean) {
  const state = await db.configTargetState.findUnique({ where: { targetType_targetId: { targetType: type, targetId: id } } });
  const kind = (Object.entries(targetTypeOf).find(([, t]) => t === type)?.[0] ?? "APP") as ConfigKind;
  const scopeId =
    type === "LOAD_BALANCER"
      ? id
      : (
          (await db.node.findUnique({ where: { id }, select: { clusterId: true } })) ??
          (await db.databaseInstance.findUnique({ where: { id }, select: { clusterId: true } }))
        )?.clusterId;
  if (!scopeId) throw notFound(`Target '${id}'`);
  const scopeKeyValue = state?.scope ?? `${kind.toLowerCase()}.${scopeId}`;
  const desired = state?.appliedRevisionId
    ? await db.configRevision.findUnique({ where: { id: state.appliedRevisionId }, select: { id: true, number: true, content: true, checksum: true } })
    : await db.configRevision.findFirst({
        where: { scope: scopeKeyValue },
        orderBy: { number: "desc" },
        select: { id: true, number: true, content: true, checksum: true },
      });
  const endpoint = await agentEndpointFor(type, id);
  let running: { checksum: string | null; content: string | null; error?: string };
  if (!endpoint) running = { checksum: null, content: null, error: "no enrolled agent" };
  else {
    try {
      const answer = await callAgent(endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, 10_000);
      running = { checksum: answer.checksum, content: answer.content, ...(answer.problem ? { error: answer.problem } : {}) };
    } catch (error) {
      running = { checksum: null, content: null, error: (error as Error).message };
    }
  }
  const show = (t: string | null) => (t === null ? null : showSecrets ? t : maskConfigText(kind, t));
  return {
    scope: scopeKeyValue,
    desired: desired ? { revisionId: desired.id, number: desired.number, checksum: desired.checksum, applied: !!state?.appliedRevisionId } : null,
    running: { checksum: running.checksum, error: running.error ? maskText(running.error) : null },
    inSync: !!desired && desired.checksum === running.checksum,
    diff: running.content === null || !desired ? null : diffConfigs(show(desired.content)!, show(running.content)!),
  };
}

/** One line for a target's detail page: which revision it should run, and whether it does. */
export async function targetConfigSummary(type: TargetType, id: string, clusterId: string) {
  const kind = (Object.entries(targetTypeOf).find(([, t]) => t === type)?.[0] ?? "APP") as ConfigKind;
  const scope = `${kind.toLowerCase()}.${type === "LOAD_BALANCER" ? id : clusterId}`;
  const state = await db.configTargetState.findUnique({ where: { targetType_targetId: { targetType: type, targetId: id } } });
  const revision = state?.appliedRevisionId ? await db.configRevision.findUnique({ where: { id: state.appliedRevisionId }, select: { number: true } }) : null;
  const status = !state?.appliedChecksum
    ? "NEVER_DEPLOYED"
    : state.driftSince
      ? "DRIFT"
      : state.reportedChecksum === state.appliedChecksum
        ? "IN_SYNC"
        : "PENDING";
  return { scope, revision: revision?.number ?? null, status, driftSince: state?.driftSince ?? null } as const;
}
