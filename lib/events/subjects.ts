// The name of an event's subject, for people: an id means nothing on a pager
// or in the list. Resolved when the event is recorded (kept in its data, so the
// list can still say what a deleted subject was called) and again when it is
// listed (a renamed subject shows its current name).
import "server-only";
import type { Db, Tx } from "@/lib/db/client";
import type { SubjectType } from "@/lib/generated/prisma/enums";

type Ref = { subjectType: SubjectType; subjectId: string | null };
export const subjectKey = (type: SubjectType, id: string) => `${type}:${id}`;

const SCOPE = /^(app|postgres|haproxy)\.(.+)$/;
const scopeWords = { app: "app node settings", postgres: "PostgreSQL settings", haproxy: "HAProxy configuration" } as const;

/** Current names of the subjects of these events, by subjectKey; a subject that is gone has none. */
export async function subjectNames(db: Tx | Db, events: Ref[]): Promise<Map<string, string>> {
  const ids = (type: SubjectType) => [...new Set(events.filter((e) => e.subjectType === type && e.subjectId).map((e) => e.subjectId!))];
  const scopes = ids("CONFIG").map((key) => ({ key, m: SCOPE.exec(key) }));
  const clusterIds = [...new Set([...ids("CLUSTER"), ...scopes.filter((s) => s.m && s.m[1] !== "haproxy").map((s) => s.m![2]!)])];
  const lbIds = [...new Set([...ids("LOAD_BALANCER"), ...scopes.filter((s) => s.m?.[1] === "haproxy").map((s) => s.m![2]!)])];
  const byId = { where: (list: string[]) => ({ where: { id: { in: list } }, select: { id: true, name: true } }) };
  const none = Promise.resolve([] as { id: string; name: string }[]);
  const [nodes, lbs, dbs, poolers, clusters, users, tokens, operations] = await Promise.all([
    ids("NODE").length ? db.node.findMany(byId.where(ids("NODE"))) : none,
    lbIds.length ? db.loadBalancer.findMany(byId.where(lbIds)) : none,
    ids("DATABASE").length ? db.databaseInstance.findMany(byId.where(ids("DATABASE"))) : none,
    ids("POOLER").length ? db.pooler.findMany(byId.where(ids("POOLER"))) : none,
    clusterIds.length ? db.cluster.findMany(byId.where(clusterIds)) : none,
    ids("USER").length
      ? db.user.findMany({ where: { id: { in: ids("USER") } }, select: { id: true, email: true } }).then((r) => r.map((u) => ({ id: u.id, name: u.email })))
      : none,
    ids("API_TOKEN").length ? db.apiToken.findMany(byId.where(ids("API_TOKEN"))) : none,
    ids("OPERATION").length ? operationNames(db, ids("OPERATION")) : none,
  ]);
  const out = new Map<string, string>();
  const put = (type: SubjectType, rows: { id: string; name: string }[]) => rows.forEach((r) => out.set(subjectKey(type, r.id), r.name));
  put("NODE", nodes);
  put("LOAD_BALANCER", lbs);
  put("DATABASE", dbs);
  put("POOLER", poolers);
  put("CLUSTER", clusters);
  put("USER", users);
  put("API_TOKEN", tokens);
  put("OPERATION", operations);
  const clusterName = new Map(clusters.map((c) => [c.id, c.name]));
  const lbName = new Map(lbs.map((l) => [l.id, l.name]));
  for (const { key, m } of scopes) {
    if (!m) continue;
    const kind = m[1] as keyof typeof scopeWords;
    const owner = kind === "haproxy" ? lbName.get(m[2]!) : clusterName.get(m[2]!);
    if (owner) out.set(subjectKey("CONFIG", key), `${owner}: ${scopeWords[kind]}`);
  }
  return out;
}

/** An operation by what it did and to whom ("node.drain of web-1"). */
async function operationNames(db: Tx | Db, ids: string[]): Promise<{ id: string; name: string }[]> {
  const ops = await db.operation.findMany({ where: { id: { in: ids } }, select: { id: true, kind: true, subjectType: true, subjectId: true } });
  const names = await subjectNames(
    db,
    ops.filter((o) => o.subjectType !== "OPERATION"),
  );
  return ops.map((o) => ({ id: o.id, name: `${o.kind} of ${names.get(subjectKey(o.subjectType, o.subjectId)) ?? "a removed subject"}` }));
}

/** One subject's current name (recordEvent's, when its caller did not give it). */
export async function subjectName(db: Tx | Db, ref: Ref): Promise<string | null> {
  if (!ref.subjectId) return null;
  return (await subjectNames(db, [ref])).get(subjectKey(ref.subjectType, ref.subjectId)) ?? null;
}
