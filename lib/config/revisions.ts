// Revisions: immutable, numbered per configuration, each checked before it is
// stored (lib/config/validation.ts); a rollback is a new revision with an old
// one's content, checked again. Readers without config:write see secrets masked.
import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { notFound, unprocessable } from "@/lib/common/errors";
import { maskConfigInput, maskConfigText } from "@/lib/agent-protocol/mask";
import { diffConfigs } from "./diff";
import { renderScope, type ConfigInput, type Rendered } from "./render";
import { candidateProblems, problemsError } from "./validation";
import { resolveScope, type Scope } from "./scopes";

export const revisionSelect = {
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

export type RevisionView = Omit<RevisionRow, "authorId" | "input"> & { input: ConfigInput; author: string | null; masked: boolean };

export async function authorNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, email: true } });
  return new Map(users.map((u) => [u.id, u.email]));
}

export function viewOf(r: RevisionRow, authors: Map<string, string>, showSecrets: boolean): RevisionView {
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
