// Every kind of durable operation, in one place: its name, what it acts on,
// the parameters it is queued with and the progress it reports, and whether
// it can be stopped half-way. The request side (lib/operations/create.ts)
// writes params through these schemas; the worker (worker/operations.ts) reads
// them back through the same schemas; the progress page
// (components/operations/operation-progress.tsx) shows them. Adding a kind
// starts here: see "Adding an operation kind" in the README.
//
// Params carry a version (`v`). An operation queued by the previous release
// and still in flight after an upgrade is read through `upgrade`. One queued
// by a newer release is not claimed by this worker (worker/operations.ts) and
// waits for an upgraded one; should it be read anyway, it is refused with a
// clear error, never guessed at.
import { z } from "zod";
import { isoDateTimeSchema, reasonSchema } from "@/lib/common/schemas";

type Fields = Record<string, z.ZodType>;

/**
 * A params schema that accepts what earlier versions wrote: a payload without
 * `v` is version 0 (written before params were versioned); `upgrade` brings
 * an older payload to the current shape.
 */
function versioned<S extends Fields>(
  version: number,
  fields: S,
  upgrade: (raw: Record<string, unknown>, from: number) => Record<string, unknown> = (raw) => raw,
) {
  const schema = z.preprocess(
    (raw) => {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
      const record = raw as Record<string, unknown>;
      const from = typeof record.v === "number" ? record.v : 0;
      return from < version ? { ...upgrade(record, from), v: version } : record;
    },
    z.object({
      v: z.literal(version, { error: `written by a console release this worker does not know (params version is not ${version}): upgrade the worker` }),
      ...fields,
    }),
  );
  return Object.assign(schema, { version });
}

const cuid = z.string().regex(/^[a-z0-9]{10,40}$/, "an id");
const name = z.string().min(1).max(200);

// ---------------------------------------------------------------- request fields shared with the API

export const drainFields = {
  reason: reasonSchema,
  /** How long sessions may take to end before the escalation. */
  deadlineSeconds: z.number().int().min(5).max(86_400).default(300),
  /** At the deadline: put the node in maintenance (cuts what is left), end the remaining sessions, or stop and say so. */
  escalation: z.enum(["maintenance", "end-sessions", "none"]).default("maintenance"),
  /** Drain even though the remaining nodes may not carry the load. */
  force: z.boolean().default(false),
  forceReason: z.string().trim().max(500).optional(),
};

export const resumeFields = {
  reason: reasonSchema,
  /** Traffic comes back over this long (weight 10% → 25% → 50% → 100%). 0: at once. */
  slowStartSeconds: z.number().int().min(0).max(3600).default(20),
};

export const maintenanceFields = {
  reason: reasonSchema,
  /** When the node comes back by itself (resume with slow start); none: until someone resumes it. */
  until: isoDateTimeSchema.optional(),
};

// ---------------------------------------------------------------- the kinds

const nodeSubject = { nodeName: name, clusterId: cuid };

/** A drain's live figures: the session curve, the estimate and the deadline (epoch ms). */
export const drainProgress = z.object({
  samples: z.array(z.tuple([z.number(), z.number()])).default([]),
  sessions: z.number().optional(),
  estimatedFinish: z.number().nullable().optional(),
  deadline: z.number().optional(),
});
export type DrainProgress = z.output<typeof drainProgress>;

/** The promotion's steps already done: a worker that takes over skips them. */
export const promoteProgress = z.object({
  done: z.array(z.string()).default([]),
  /** What the fence found: the old primary's last WAL position (the candidate must replay it) and whether it was stopped. */
  fence: z.object({ lastLsn: z.string().nullable(), stopped: z.boolean(), canStop: z.boolean().optional() }).optional(),
  /** Whether the candidate replayed everything the fenced primary wrote. */
  caughtUp: z.boolean().optional(),
});

const noProgress = z.object({});

export const operationKinds = {
  "config.deploy": {
    label: "Deployment",
    subjectType: "CONFIG",
    params: versioned(1, {
      revisionId: cuid,
      revisionNumber: z.number().int().min(1),
      checksum: z.string().min(1),
      batchSize: z.number().int().min(1),
      pauseMs: z.number().int().min(0),
      targets: z.number().int().min(0).optional(),
    }),
    progress: noProgress,
    cancel: { permission: "config:write", note: "stops at the next batch boundary", button: "Cancel after this batch" },
  },
  "node.drain": {
    label: "Drain",
    subjectType: "NODE",
    params: versioned(1, { ...drainFields, ...nodeSubject, impact: z.unknown().optional() }),
    progress: drainProgress,
    cancel: { permission: "operations:run", note: "stops following the sessions; the node stays draining until resumed", button: "Cancel" },
  },
  "node.resume": {
    label: "Resume",
    subjectType: "NODE",
    params: versioned(1, { ...resumeFields, ...nodeSubject }),
    progress: noProgress,
    cancel: null,
  },
  "node.maintenance": {
    label: "Maintenance",
    subjectType: "NODE",
    params: versioned(1, { ...maintenanceFields, ...nodeSubject }),
    progress: noProgress,
    cancel: null,
  },
  "db.promote": {
    label: "Promotion",
    subjectType: "CLUSTER",
    params: versioned(
      1,
      {
        candidateId: cuid,
        candidateName: name,
        oldPrimaryId: cuid.nullable(),
        /** The cluster's generation this promotion makes (fencing token). */
        generation: z.number().int().min(0),
        force: z.boolean().default(false),
        /** The members as checked when it was requested: the old primary's timeline comes from here. */
        check: z.array(z.looseObject({ id: z.string(), timeline: z.number().nullable(), reachable: z.boolean() })).default([]),
        /** Version 0 kept the steps done here; they now live in progress. Read once, never written. */
        doneBeforeUpgrade: z.array(z.string()).default([]),
      },
      ({ done, ...rest }) => ({ ...rest, doneBeforeUpgrade: Array.isArray(done) ? done : [] }),
    ),
    progress: promoteProgress,
    cancel: null,
  },
  "db.rebuild": {
    label: "Rebuild",
    subjectType: "DATABASE",
    params: versioned(1, { memberName: name, primaryId: cuid, primaryName: name }),
    progress: noProgress,
    cancel: null,
  },
} as const satisfies Record<string, OperationKindDefinition>;

export type OperationKindDefinition = {
  /** What a person calls it ("Drain of app-2"). */
  label: string;
  subjectType: "NODE" | "CLUSTER" | "DATABASE" | "CONFIG";
  params: z.ZodType<{ v: number }> & { version: number };
  progress: z.ZodType<object>;
  /** Null: it cannot stop half-way without leaving a mess; it runs to its end. */
  cancel: { permission: "config:write" | "operations:run"; note: string; button: string } | null;
};

export type OperationKind = keyof typeof operationKinds;
export type ParamsOf<K extends OperationKind> = z.output<(typeof operationKinds)[K]["params"]>;
/** What the request side hands over: the params without their version, which is added on write. */
export type ParamsInput<K extends OperationKind> = K extends OperationKind ? Omit<z.input<(typeof operationKinds)[K]["params"]>, "v"> : never;
export type ProgressOf<K extends OperationKind> = z.output<(typeof operationKinds)[K]["progress"]>;

export const OPERATION_KINDS = Object.keys(operationKinds) as OperationKind[];

export function isOperationKind(kind: string): kind is OperationKind {
  return Object.hasOwn(operationKinds, kind);
}

/** Params as stored: checked against the kind's schema and stamped with its version. Throws on a bug in the caller. */
export function paramsToStore<K extends OperationKind>(kind: K, params: ParamsInput<K>): { v: number } {
  const schema: OperationKindDefinition["params"] = operationKinds[kind].params;
  return schema.parse({ ...params, v: schema.version });
}

export type ParamsByKind = { [K in OperationKind]: ParamsOf<K> };

/**
 * Reads an operation's params by its kind, for views; null when they do not
 * parse (masked on the way out, or written by another release). TypeScript
 * cannot follow a generic key into the registry, hence the one assertion
 * here; the schema has checked the value.
 */
export function readParams<K extends OperationKind>(kind: K, raw: unknown): ParamsByKind[K] | null {
  const schema: OperationKindDefinition["params"] = operationKinds[kind].params;
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as ParamsByKind[K]) : null;
}

export type ProgressByKind = { [K in OperationKind]: ProgressOf<K> };

/** Reads an operation's progress by its kind, for views; null when it does not parse. */
export function readProgress<K extends OperationKind>(kind: K, raw: unknown): ProgressByKind[K] | null {
  const schema: OperationKindDefinition["progress"] = operationKinds[kind].progress;
  const parsed = schema.safeParse(raw);
  return parsed.success ? (parsed.data as ProgressByKind[K]) : null;
}

/**
 * An operation's kind with its params and progress as this release reads them
 * (params of an earlier version upgraded), or null where it cannot: a kind it
 * does not know, params written by a newer release, or a value masking left
 * unreadable. What the API answers (lib/operations/schemas.ts) and what the
 * progress view shows.
 */
export type KindData =
  | { [K in OperationKind]: { kind: K; params: ParamsOf<K> | null; progress: ProgressOf<K> | null } }[OperationKind]
  | { kind: string; params: null; progress: null };

export function readKindData(kind: string, params: unknown, progress: unknown): KindData {
  if (!isOperationKind(kind)) return { kind, params: null, progress: null };
  // The same assertion as readParams: each value was read by this kind's own schema.
  return { kind, params: readParams(kind, params), progress: readProgress(kind, progress) } as KindData;
}
