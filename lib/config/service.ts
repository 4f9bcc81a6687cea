// Configuration revisions and deployments. A revision is validated before it
// is stored (schema; HAProxy also by its agent's `haproxy -c`), is immutable
// and numbered per scope, and is deployed by a durable operation the worker
// runs batch by batch (worker/deploy.ts). Readers without config:write see
// secrets masked.
import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { conflict, DomainError, notFound, unprocessable, type FieldProblem } from "@/lib/common/errors";
import { AGENT_PATHS, configCurrentAnswer, configValidateAnswer, type ConfigKind, type ConfigProblem } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { AgentCallError, callAgent } from "@/lib/agents/client";
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { canonicalJson, configChecksum } from "@/lib/agent-protocol/config/checksum";
import { diffConfigs } from "./diff";
import { haproxyInput, renderHaproxyLines, type HaproxyLineOrigin, type HaproxyPool } from "./haproxy";
import { checkHaproxyConfig, type HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules";
import { maskConfigInput, maskConfigText, maskData, maskText } from "@/lib/agent-protocol/mask";
import { postgresSettings } from "@/lib/agent-protocol/config/postgres-settings";
import { allScopes, resolveScope, scopeTargets, targetTypeOf, type Scope, type ScopeTarget, type TargetType } from "./scopes";
import type { DeployRequest, LocatedProblem, ValidationAnswer } from "./schemas";
import { getOperation } from "@/lib/operations/service";
import { createOperation, stepEntry } from "@/lib/operations/record";
import { readParams } from "@/lib/operations/kinds";

const inputSchema = { APP: appSettings, POSTGRES: postgresSettings, HAPROXY: haproxyInput } as const;

// ---------------------------------------------------------------------------
// Rendering: input → the exact text targets run
// ---------------------------------------------------------------------------

async function haproxyPool(scope: Scope, tx: Tx = db): Promise<HaproxyPool> {
  const lb = await tx.loadBalancer.findUniqueOrThrow({
    where: { id: scope.loadBalancerId! },
    select: {
      name: true,
      host: true,
      port: true,
      members: { select: { weight: true, backup: true, node: { select: { name: true, host: true, port: true } } } },
    },
  });
  return {
    loadBalancer: { name: lb.name, host: lb.host, port: lb.port },
    members: lb.members.map((m) => ({ name: m.node.name, host: m.node.host, port: m.node.port, weight: m.weight, backup: m.backup })),
  };
}

type Rendered = {
  input: unknown;
  content: string;
  checksum: string;
  /** HAProxy: what the agent accepts (its runtime paths are in `content`). */
  policy?: HaproxyPolicy;
  /** HAProxy: the input field each content line comes from, to show a problem where it was typed. */
  origins?: HaproxyLineOrigin[];
};

/**
 * What the scope's HAProxy agent accepts: its own runtime paths (the console
 * renders them; it never chooses a host path) and what its host's owner
 * allows beyond the safe set. Asked live, so the console checks against the
 * agent's current config file.
 */
async function haproxyPolicy(scope: Scope): Promise<HaproxyPolicy> {
  const endpoint = await agentEndpointFor("LOAD_BALANCER", scope.loadBalancerId!);
  if (!endpoint) {
    throw new ValidationUnavailable(
      "This HAProxy has no enrolled agent. Its configuration is rendered with the agent's own paths and checked against what the agent allows, so enrol the agent first",
    );
  }
  let answer;
  try {
    answer = await callAgent(endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, 10_000);
  } catch (error) {
    if (error instanceof AgentCallError) throw new ValidationUnavailable(`Could not ask the load balancer's agent what it accepts: ${error.message}`);
    throw error;
  }
  if (answer.kind !== "HAPROXY" || !answer.policy) {
    throw new ValidationUnavailable("The load balancer's agent does not say which paths and directives it accepts; upgrade the agent");
  }
  return answer.policy;
}

/** Parses the input for the scope's kind (422 naming each bad field) and renders the content. */
export async function renderScope(scope: Scope, rawInput: unknown, tx: Tx = db): Promise<Rendered> {
  const parsed = inputSchema[scope.kind].safeParse(rawInput);
  if (!parsed.success) {
    const errors: FieldProblem[] = parsed.error.issues.map((i) => ({ path: ["body", "input", ...i.path.map(String)].join("."), message: i.message }));
    throw unprocessable(
      `Invalid ${scope.kind} input: ${errors
        .slice(0, 3)
        .map((e) => `${e.path}: ${e.message}`)
        .join("; ")}`,
      errors,
    );
  }
  const input = parsed.data;
  if (scope.kind !== "HAPROXY") {
    const content = canonicalJson(input);
    return { input, content, checksum: configChecksum(content) };
  }
  const policy = await haproxyPolicy(scope);
  const { text, origins } = renderHaproxyLines(await haproxyPool(scope, tx), input as z.output<typeof haproxyInput>, policy.runtime);
  return { input, content: text, checksum: configChecksum(text), policy, origins };
}

/** What a new revision starts from: the latest input (HAProxy re-rendered from today's pool), or defaults. */
export async function draftInput(scope: Scope): Promise<ConfigInput> {
  const latest = await db.configRevision.findFirst({ where: { scope: scope.key }, orderBy: { number: "desc" }, select: { input: true } });
  if (latest) return latest.input as ConfigInput;
  if (scope.kind === "HAPROXY") return haproxyInput.parse({});
  if (scope.kind === "POSTGRES") return { settings: {} };
  const primary = await db.databaseInstance.findFirst({ where: { clusterId: scope.clusterId, role: "PRIMARY" }, select: { host: true, port: true } });
  const host = primary ? (primary.host.includes(":") ? `[${primary.host}]` : primary.host) : "localhost";
  return appSettings.parse({ database: { url: `postgresql://app@${host}:${primary?.port ?? 5432}/app` } });
}

// ---------------------------------------------------------------------------
// Validation: the agent's rules here first, then the agent (HAProxy: its own `haproxy -c`)
// ---------------------------------------------------------------------------

/** The configuration cannot be checked now (its agent does not answer): nothing is saved. */
export class ValidationUnavailable extends DomainError {
  constructor(detail: string) {
    super("unavailable", detail);
  }
}

/** Each problem, and where in the input it was typed when it comes from an edited field. */
function locate(problems: ConfigProblem[], origins: HaproxyLineOrigin[] | undefined): LocatedProblem[] {
  return problems.map((p) => {
    const origin = p.line && origins ? origins[p.line - 1] : null;
    return origin ? { ...p, input: { field: origin.field, line: origin.line } } : p;
  });
}

/**
 * Everything wrong with a candidate. HAProxy: first the safe set the agent
 * enforces (lib/agent-protocol/haproxy/rules/), checked here so nothing the rules
 * refuse ever leaves the console; then the agent itself, which checks the
 * rules again and runs `haproxy -c`. The other kinds are fully checked by
 * their schemas.
 */
async function candidateProblems(scope: Scope, rendered: Rendered): Promise<LocatedProblem[]> {
  if (scope.kind !== "HAPROXY") return [];
  const policy = rendered.policy ?? (await haproxyPolicy(scope));
  const refused = checkHaproxyConfig(rendered.content, policy);
  if (refused.length) return locate(refused, rendered.origins);
  const endpoint = await agentEndpointFor("LOAD_BALANCER", scope.loadBalancerId!);
  if (!endpoint)
    throw new ValidationUnavailable("This HAProxy has no enrolled agent, so its configuration cannot be checked with haproxy -c; enrol the agent first");
  try {
    const answer = await callAgent(
      endpoint,
      "POST",
      AGENT_PATHS.configValidate,
      { kind: "HAPROXY", content: rendered.content, checksum: rendered.checksum },
      configValidateAnswer,
      20_000,
    );
    return locate(answer.problems, rendered.origins);
  } catch (error) {
    if (error instanceof AgentCallError) throw new ValidationUnavailable(`Could not check the configuration with the load balancer's agent: ${error.message}`);
    throw error;
  }
}

/** Renders and checks a candidate without storing it; the diff is against the latest revision. */
export async function validateCandidate(scopeKey: string, rawInput: unknown, showSecrets: boolean): Promise<ValidationAnswer> {
  const scope = await resolveScope(scopeKey);
  const rendered = await renderScope(scope, rawInput);
  const problems = await candidateProblems(scope, rendered);
  const latest = await db.configRevision.findFirst({ where: { scope: scope.key }, orderBy: { number: "desc" }, select: { number: true, content: true } });
  const show = (t: string) => (showSecrets ? t : maskConfigText(scope.kind, t));
  return {
    content: show(rendered.content),
    checksum: rendered.checksum,
    problems,
    diff: diffConfigs(show(latest?.content ?? ""), show(rendered.content)),
    againstRevision: latest?.number ?? null,
  };
}

// ---------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------

const revisionSelect = {
  id: true,
  scope: true,
  targetKind: true,
  number: true,
  input: true,
  content: true,
  checksum: true,
  message: true,
  rollbackOf: true,
  authorId: true,
  createdAt: true,
} as const;
type RevisionRow = Prisma.ConfigRevisionGetPayload<{ select: typeof revisionSelect }>;

/** An input as stored: what the kind's schema parsed (renderScope), always an object. */
type ConfigInput = Record<string, unknown>;

export type RevisionView = Omit<RevisionRow, "authorId" | "input"> & { input: ConfigInput; author: string | null; masked: boolean };

async function authorNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

function viewOf(r: RevisionRow, authors: Map<string, string>, showSecrets: boolean): RevisionView {
  const { authorId, ...rest } = r;
  return {
    ...rest,
    content: showSecrets ? r.content : maskConfigText(r.targetKind, r.content),
    input: (showSecrets ? r.input : maskConfigInput(r.targetKind, r.input)) as ConfigInput,
    author: authorId ? (authors.get(authorId) ?? "(deleted user)") : null,
    masked: !showSecrets,
  };
}

export async function getRevision(id: string, showSecrets: boolean): Promise<RevisionView> {
  const r = await db.configRevision.findUnique({ where: { id }, select: revisionSelect });
  if (!r) throw notFound(`Revision '${id}'`);
  return viewOf(r, await authorNames([r.authorId]), showSecrets);
}

async function insertRevision(scope: Scope, rendered: Rendered, message: string, audit: AuditContext, rollbackOf: RevisionRow | null) {
  return db.$transaction(async (tx) => {
    // One writer per scope at a time, so numbers are dense and "identical" is judged against the true latest.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`config-scope:${scope.key}`}))`;
    const latest = await tx.configRevision.findFirst({ where: { scope: scope.key }, orderBy: { number: "desc" }, select: { number: true, checksum: true } });
    if (latest && latest.checksum === rendered.checksum && !rollbackOf) {
      throw unprocessable(`This is exactly revision ${latest.number}; there is nothing new to save`);
    }
    const created = await tx.configRevision.create({
      data: {
        scope: scope.key,
        targetKind: scope.kind,
        clusterId: scope.clusterId,
        loadBalancerId: scope.loadBalancerId,
        number: (latest?.number ?? 0) + 1,
        input: rendered.input as Prisma.InputJsonValue,
        content: rendered.content,
        checksum: rendered.checksum,
        authorId: audit.actor.userId ?? null,
        message,
        rollbackOf: rollbackOf?.id ?? null,
      },
      select: revisionSelect,
    });
    await recordAudit(tx, audit, {
      action: rollbackOf ? "config.revision.rollback" : "config.revision.create",
      targetType: "CONFIG",
      targetId: created.id,
      reason: message,
      summary: { scope: scope.key, number: created.number, checksum: created.checksum, ...(rollbackOf ? { restores: rollbackOf.number } : {}) },
    });
    return created;
  });
}

function problemsError(kind: ConfigKind, problems: LocatedProblem[], content: string): DomainError {
  const first = problems[0]!;
  return unprocessable(
    `The configuration is invalid: ${first.line ? `line ${first.line}: ` : ""}${first.message}`,
    problems.map((p) =>
      // On the field it was typed in when it was typed (the editor shows it there), else on the rendered line.
      p.input
        ? { path: `body.input.${p.input.field}`, message: `line ${p.input.line}: ${p.message}` }
        : { path: p.line ? `content.line.${p.line}` : "content", message: p.message },
    ),
    { problems, content: maskConfigText(kind, content) },
  );
}

export async function createRevision(scopeKey: string, body: { input: unknown; message: string }, audit: AuditContext): Promise<RevisionView> {
  const scope = await resolveScope(scopeKey);
  const rendered = await renderScope(scope, body.input);
  const problems = await candidateProblems(scope, rendered);
  if (problems.length) throw problemsError(scope.kind, problems, rendered.content);
  const created = await insertRevision(scope, rendered, body.message, audit, null);
  return viewOf(created, await authorNames([created.authorId]), true);
}

/**
 * A new revision with the exact content of an earlier one, checked again as a
 * new one would be: the agent's rules and paths, or its binary, may have
 * changed since (a revision from before the agent owned its runtime paths
 * names whatever paths were typed then, and is refused if they differ).
 */
export async function rollbackTo(revisionId: string, message: string, audit: AuditContext): Promise<RevisionView> {
  const old = await db.configRevision.findUnique({ where: { id: revisionId }, select: revisionSelect });
  if (!old) throw notFound(`Revision '${revisionId}'`);
  const scope = await resolveScope(old.scope);
  // The settings kinds are checked by their schema: today's rules apply to yesterday's input too.
  if (scope.kind !== "HAPROXY") await renderScope(scope, old.input);
  const rendered = { input: old.input, content: old.content, checksum: old.checksum };
  const problems = await candidateProblems(scope, rendered);
  if (problems.length) throw problemsError(scope.kind, problems, rendered.content);
  const created = await insertRevision(scope, rendered, message || `Roll back to revision ${old.number}`, audit, old);
  return viewOf(created, await authorNames([created.authorId]), true);
}

export async function diffRevisions(id: string, againstId: string | undefined, showSecrets: boolean) {
  const r = await db.configRevision.findUnique({ where: { id }, select: { id: true, scope: true, targetKind: true, number: true, content: true } });
  if (!r) throw notFound(`Revision '${id}'`);
  const other = againstId
    ? await db.configRevision.findUnique({ where: { id: againstId }, select: { id: true, scope: true, number: true, content: true } })
    : await db.configRevision.findFirst({
        where: { scope: r.scope, number: { lt: r.number } },
        orderBy: { number: "desc" },
        select: { id: true, scope: true, number: true, content: true },
      });
  if (againstId && !other) throw notFound(`Revision '${againstId}'`);
  if (other && other.scope !== r.scope) throw unprocessable("Both revisions must belong to the same configuration");
  const show = (t: string) => (showSecrets ? t : maskConfigText(r.targetKind, t));
  return {
    from: other ? { id: other.id, number: other.number } : null,
    to: { id: r.id, number: r.number },
    diff: diffConfigs(show(other?.content ?? ""), show(r.content)),
  };
}

// ---------------------------------------------------------------------------
// Scopes: what runs where
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Deployments (run by the worker)
// ---------------------------------------------------------------------------

export async function startDeployment(revisionId: string, request: DeployRequest, audit: AuditContext, idempotencyKey: string | null) {
  const revision = await db.configRevision.findUnique({ where: { id: revisionId }, select: { id: true, scope: true, number: true, checksum: true } });
  if (!revision) throw notFound(`Revision '${revisionId}'`);
  if (idempotencyKey) {
    const same = await db.operation.findUnique({ where: { idempotencyKey }, select: { id: true, kind: true, subjectId: true, params: true } });
    if (same) {
      if (same.kind !== "config.deploy" || readParams("config.deploy", same.params)?.revisionId !== revisionId)
        throw conflict(`Idempotency-Key '${idempotencyKey}' was used for another request (operation ${same.id})`);
      return getOperation(same.id);
    }
  }
  const scope = await resolveScope(revision.scope);
  const all = await scopeTargets(scope);
  let targets = all.filter((t) => t.enrolled);
  if (request.targetIds) {
    const unknown = request.targetIds.filter((id) => !all.some((t) => t.id === id));
    if (unknown.length)
      throw unprocessable(
        `Not a target of ${scope.name}: ${unknown.join(", ")}`,
        unknown.map((id) => ({ path: "body.targetIds", message: `${id} is not a target of this configuration` })),
      );
    const unenrolled = request.targetIds.filter((id) => !targets.some((t) => t.id === id));
    if (unenrolled.length) throw unprocessable(`These targets have no enrolled agent: ${unenrolled.join(", ")}`);
    targets = targets.filter((t) => request.targetIds!.includes(t.id));
  }
  if (!targets.length) throw unprocessable(`${scope.name} has no target with an enrolled agent to deploy to`);

  const operation = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`config-scope:${scope.key}`}))`;
    const running = await tx.operation.findFirst({
      where: { kind: "config.deploy", subjectId: scope.key, state: { in: ["AWAITING_APPROVAL", "PENDING", "RUNNING"] } },
      select: { id: true },
    });
    if (running)
      throw conflict(`A deployment of ${scope.name} is already in progress (operation ${running.id}); wait for it or cancel it`, { operationId: running.id });
    const op = await createOperation(tx, {
      kind: "config.deploy",
      subjectId: scope.key,
      idempotencyKey,
      requestedById: audit.actor.userId ?? null,
      reason: request.reason,
      params: {
        revisionId: revision.id,
        revisionNumber: revision.number,
        checksum: revision.checksum,
        batchSize: request.batchSize,
        pauseMs: request.pauseSeconds * 1000,
        targets: targets.length,
      },
      steps: [stepEntry("requested", `revision ${revision.number} to ${targets.length} target(s), ${request.batchSize} at a time`)],
    });
    await tx.configDeployment.createMany({
      data: targets.map((t, i) => ({
        revisionId: revision.id,
        operationId: op.id,
        targetType: t.type,
        targetId: t.id,
        batch: Math.floor(i / request.batchSize),
      })),
    });
    await recordAudit(tx, audit, {
      action: "config.deploy.start",
      targetType: "OPERATION",
      targetId: op.id,
      reason: request.reason,
      summary: {
        scope: scope.key,
        revision: revision.number,
        targets: targets.map((t) => t.name),
        batchSize: request.batchSize,
        pauseSeconds: request.pauseSeconds,
      },
    });
    return op;
  });
  return getOperation(operation.id);
}

/** Deploys to one target the revision it should run (after drift). */
export async function reconcileTarget(type: TargetType, id: string, reason: string, audit: AuditContext) {
  const state = await db.configTargetState.findUnique({
    where: { targetType_targetId: { targetType: type, targetId: id } },
    select: { appliedRevisionId: true },
  });
  if (!state?.appliedRevisionId) throw unprocessable("No revision was ever deployed to this target; deploy one first");
  return startDeployment(state.appliedRevisionId, { batchSize: 1, pauseSeconds: 0, targetIds: [id], reason: reason || "Reconcile drift" }, audit, null);
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
