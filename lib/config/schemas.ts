// Request and answer schemas of the configuration API (shared by handlers,
// forms, the client hooks and the OpenAPI document).
import { z } from "zod";
import { optionalReasonSchema, reasonSchema, wireDate } from "@/lib/common/schemas";
import { configKinds, configProblem } from "@/lib/agent-protocol/types";
import { operationKinds } from "@/lib/operations/kinds";
import { operationState } from "@/lib/operations/schemas";

const cuid = z.string().regex(/^[a-z0-9]{10,40}$/, "an id");

export const scopeParams = z.strictObject({
  scope: z.string().regex(/^(app|postgres|haproxy)\.[a-z0-9]{10,40}$/, "a configuration scope such as haproxy.<load balancer id>"),
});
export const revisionParams = z.strictObject({ id: cuid });
export const targetParams = z.strictObject({
  type: z.enum(["nodes", "load-balancers", "databases"]),
  id: cuid,
});
export const targetTypeOfPath = { nodes: "NODE", "load-balancers": "LOAD_BALANCER", databases: "DATABASE" } as const;

export const scopeQuery = z.strictObject({ revisions: z.coerce.number().int().min(1).max(200).default(50) });

/** The input is checked against the scope's own schema by the service (its kind is only known then). */
export const candidateBody = z.strictObject({ input: z.record(z.string(), z.unknown()) });
export const revisionCreate = z.strictObject({
  input: z.record(z.string(), z.unknown()),
  message: z.string().trim().min(1, "Say what changed and why").max(500),
});
export const rollbackBody = z.strictObject({ message: z.string().trim().max(500).default("") });
export const diffQuery = z.strictObject({ against: cuid.optional() });

export const deployRequest = z.strictObject({
  batchSize: z.number().int().min(1).max(500).default(1),
  pauseSeconds: z.number().int().min(0).max(3600).default(0),
  /** Only these targets (default: every enrolled target of the configuration). */
  targetIds: z.array(cuid).min(1).max(5000).optional(),
  reason: reasonSchema,
});
export type DeployRequest = z.output<typeof deployRequest>;

export const reasonBody = z.strictObject({ reason: optionalReasonSchema });

export const operationParams = z.strictObject({ id: cuid });
export const operationList = z.strictObject({
  kind: z
    .string()
    .max(50)
    .regex(/^[a-z.-]+$/)
    .optional(),
  state: operationState.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// ---------------------------------------------------------------- answers (wire form)

const configKind = z.enum(configKinds);
const targetType = z.enum(["NODE", "LOAD_BALANCER", "DATABASE"]);
const sha256 = z.string();

/** A line diff (lib/config/diff.ts), context of three lines like `diff -u`. */
export const diffLine = z.object({ op: z.enum([" ", "+", "-"]), text: z.string() });
export const diffHunk = z.object({
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  lines: z.array(diffLine),
});
export const configDiff = z.object({ identical: z.boolean(), added: z.number().int(), removed: z.number().int(), hunks: z.array(diffHunk) });
export type DiffLine = z.output<typeof diffLine>;
export type DiffHunk = z.output<typeof diffHunk>;
export type ConfigDiff = z.output<typeof configDiff>;

/** One stream of revisions: a cluster's app or PostgreSQL settings, or one load balancer's HAProxy. */
export const configScope = z.object({
  key: z.string(),
  kind: configKind,
  clusterId: z.string(),
  /** HAProxy scopes only. */
  loadBalancerId: z.string().nullable(),
  name: z.string(),
  clusterName: z.string(),
});

export const scopeSummary = configScope.extend({
  latestRevision: z.number().int().nullable(),
  /** Targets whose running configuration differs from what was deployed. */
  drifted: z.number().int(),
  /** The deployment waiting or running, if any (an operation id). */
  activeDeployment: z.string().nullable(),
});
export type ScopeSummary = z.output<typeof scopeSummary>;

/** The input as edited, in its kind's own shape (lib/agent-protocol/config/app-settings.ts and postgres-settings.ts, lib/config/haproxy.ts); secrets masked without config:write. */
const configInput = z.record(z.string(), z.unknown());

export const revisionAnswer = z.object({
  id: z.string(),
  scope: z.string(),
  targetKind: configKind,
  number: z.number().int(),
  input: configInput,
  /** The exact text targets run; secrets masked without config:write. */
  content: z.string(),
  /** Of the content as deployed (never of a masked text). */
  checksum: sha256,
  message: z.string(),
  /** The revision this one restores (a roll back), if it is one. */
  rollbackOf: z.string().nullable(),
  /** The author's email; null when the system wrote it (the demo, a first import). */
  author: z.string().nullable(),
  /** True when secrets in input and content are masked for the caller. */
  masked: z.boolean(),
  createdAt: wireDate,
});
export type RevisionAnswer = z.output<typeof revisionAnswer>;

/** A target of a scope: what was deployed there and what its agent last reported. */
export const targetState = z.object({
  type: targetType,
  id: z.string(),
  name: z.string(),
  /** Masked when written with a user name or password. */
  agentUrl: z.string().nullable(),
  /** An agent URL and a live credential: deployments reach it. */
  enrolled: z.boolean(),
  appliedRevision: z.number().int().nullable(),
  appliedChecksum: sha256.nullable(),
  appliedAt: wireDate.nullable(),
  reportedChecksum: sha256.nullable(),
  reportedAt: wireDate.nullable(),
  driftSince: wireDate.nullable(),
});

export const scopeDeployment = z.object({
  id: z.string(),
  state: operationState,
  /** The deployment's params (revision, batches), or null where this release cannot read them. */
  params: operationKinds["config.deploy"].params.nullable(),
  reason: z.string(),
  error: z.string().nullable(),
  createdAt: wireDate,
  finishedAt: wireDate.nullable(),
});

export const scopeAnswer = z.object({
  scope: configScope,
  targets: z.array(targetState),
  /** Newest first, as many as asked for. */
  revisions: z.array(revisionAnswer),
  /** The last ten deployments, newest first. */
  deployments: z.array(scopeDeployment),
  /** At least one target has an enrolled agent. */
  canDeploy: z.boolean(),
});
export type ScopeAnswer = z.output<typeof scopeAnswer>;

export const draftAnswer = z.object({
  input: configInput,
  /** Null when the draft does not render (e.g. the HAProxy's agent does not answer). */
  content: z.string().nullable(),
  checksum: sha256.nullable(),
});

/** A problem with a candidate; `input`: the edited field and line it was typed in (HAProxy's free-form sections). */
export const locatedProblem = configProblem.extend({ input: z.object({ field: z.string(), line: z.number().int() }).optional() });
export type LocatedProblem = z.output<typeof locatedProblem>;

export const validationAnswer = z.object({
  content: z.string(),
  checksum: sha256,
  /** Empty: valid. */
  problems: z.array(locatedProblem),
  /** Against the latest revision (or an empty text when there is none). */
  diff: configDiff,
  againstRevision: z.number().int().nullable(),
});
export type ValidationAnswer = z.output<typeof validationAnswer>;

const revisionRef = z.object({ id: z.string(), number: z.number().int() });
export const revisionDiffAnswer = z.object({
  /** Null for the first revision: everything is new. */
  from: revisionRef.nullable(),
  to: revisionRef,
  diff: configDiff,
});

export const runningAnswer = z.object({
  scope: z.string(),
  /** The revision deployed there (applied), else the scope's latest; null when there is none. */
  desired: z.object({ revisionId: z.string(), number: z.number().int(), checksum: sha256, applied: z.boolean() }).nullable(),
  /** What the agent says it runs; error when it could not be asked. */
  running: z.object({ checksum: sha256.nullable(), error: z.string().nullable() }),
  inSync: z.boolean(),
  /** Desired (−) against running (+); null when either is unknown. */
  diff: configDiff.nullable(),
});
export type RunningAnswer = z.output<typeof runningAnswer>;
