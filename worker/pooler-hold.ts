// A planned switchover holds the clients of the cluster's PgBouncer poolers
// rather than let them hit a fenced primary: every [databases] entry that
// points at a member other than the candidate is PAUSEd before the fence
// (running transactions end, new ones wait inside PgBouncer), pointed at the
// new primary once it writes (the agent rewrites the ini and RELOADs), then
// RESUMEd: the waiting queries run on the new primary. However the promotion
// ends, the entries are RESUMEd (untouched if nothing was promoted).
//
// Per entry, not PgBouncer-wide: a pooler may front other databases, and a
// database's PAUSE shows in SHOW DATABASES (so a worker that takes over sees it).
// PAUSE of a paused entry is harmless; RESUME of one that is not paused is
// refused by PgBouncer ("not paused") and counts as resumed here.
import { AgentCallError } from "@/lib/agents/client";
import { act, poolerStatus } from "@/worker/db-agent";
import type { OperationContext } from "@/worker/operations";

/** PAUSE waits this long for running transactions; past it the agent resumes by itself and the switchover goes on. */
export const POOLER_PAUSE_WAIT_MS = 5000;
/** A pooler agent's answer to anything else within this, or the switchover goes on without it. */
const CALL_TIMEOUT_MS = 5000;

type Db = OperationContext["db"];
type Endpoint = { id: string; name: string; host: string; port: number };
type Pooler = { id: string; name: string; agentUrl: string | null };
type Entry = { name: string; member: Endpoint; paused: boolean };

const sameHost = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const message = (error: unknown) => (error instanceof AgentCallError ? error.message : (error as Error).message).slice(0, 200);

/** The pooler's [databases] entries that point at a member of the cluster (from its agent's live status); null when it does not answer. */
async function entriesOf(pooler: Pooler, members: Endpoint[]): Promise<Entry[] | null> {
  const status = await poolerStatus(pooler.id, CALL_TIMEOUT_MS);
  if (!status) return null;
  const out: Entry[] = [];
  for (const d of status.databases) {
    const member = members.find((m) => d.host !== null && sameHost(d.host, m.host) && d.port === m.port);
    if (member) out.push({ name: d.name, member, paused: d.paused });
  }
  return out;
}

/** RESUME each entry; one already running counts as resumed. Answers the names that could not be. */
async function resumeEntries(pooler: Pooler, names: string[]): Promise<string[]> {
  const results = await Promise.all(
    names.map((database) =>
      act("POOLER", pooler.id, { action: "pgbouncer.resume", database }, CALL_TIMEOUT_MS).then(
        () => null,
        (error: unknown) => (/is not paused/.test(message(error)) ? null : `${database} (${message(error)})`),
      ),
    ),
  );
  return results.filter((r): r is string => r !== null);
}

/**
 * One promotion's hold on the cluster's poolers. `resume` runs once however
 * often it is called (before any finish, and when the promotion throws); after
 * `retarget` it does nothing: retargeting resumes.
 */
export function poolerHold(ctx: Pick<OperationContext, "db" | "appendStep">) {
  let clusterId: string | null = null;
  let resuming: Promise<void> | undefined;
  return {
    /** PAUSE, in parallel, every entry that points at a member other than the candidate; answers a sentence naming any that did not pause. */
    async pause(cluster: string, candidateId: string): Promise<string> {
      clusterId = cluster;
      resuming = undefined;
      const { poolers, members } = await clusterOf(ctx.db, cluster);
      const others = members.filter((m) => m.id !== candidateId);
      const notes = await Promise.all(
        poolers.map(async (p) => {
          if (!p.agentUrl) return `${p.name} has no agent: not paused`;
          const entries = await entriesOf(p, others);
          if (!entries) return `${p.name} did not answer: not paused, its clients may fail during the switch`;
          if (!entries.length) return `${p.name} has no entry on ${others.map((m) => m.name).join(", ") || "the old primary"}: nothing to pause`;
          const results = await Promise.all(
            entries.map((e) =>
              act(
                "POOLER",
                p.id,
                { action: "pgbouncer.pause", database: e.name, timeoutMs: POOLER_PAUSE_WAIT_MS },
                POOLER_PAUSE_WAIT_MS + CALL_TIMEOUT_MS,
              ).then(
                () => ({ e, problem: null }),
                (error: unknown) => ({ e, problem: message(error) }),
              ),
            ),
          );
          const paused = results.filter((r) => !r.problem).map((r) => r.e.name);
          const failed = results.filter((r) => r.problem).map((r) => `${r.e.name} did not pause (${r.problem})`);
          return [paused.length ? `${p.name} paused ${paused.join(", ")}` : null, ...failed.map((f) => `${p.name}: ${f}`)].filter(Boolean).join("; ");
        }),
      );
      return notes.join("; ") || "no pooler in the cluster: nothing paused";
    },
    /** A worker that took over after `retargeted`: its predecessor may have died before resuming. */
    adopt(cluster: string): void {
      clusterId = cluster;
      resuming = undefined;
    },
    /** Every entry on a member other than `primary` is pointed at it (RELOAD included), then every entry of the cluster is RESUMEd. */
    async retarget(cluster: string, primary: Endpoint): Promise<string> {
      clusterId = cluster;
      const { poolers, members } = await clusterOf(ctx.db, cluster);
      const notes = await Promise.all(
        poolers.map(async (p) => {
          if (!p.agentUrl) return `${p.name} has no agent: not retargeted`;
          const entries = await entriesOf(p, members);
          if (!entries) return `${p.name} did not answer: not retargeted (point it at ${primary.host}:${primary.port} and RESUME it by hand)`;
          const moves = entries.filter((e) => e.member.id !== primary.id);
          const results = await Promise.all(
            moves.map((e) =>
              act("POOLER", p.id, { action: "pgbouncer.retarget", database: e.name, host: primary.host, port: primary.port }, CALL_TIMEOUT_MS).then(
                () => null,
                (error: unknown) => `${e.name} still on ${e.member.name} (${message(error)})`,
              ),
            ),
          );
          const moved = moves.filter((_, i) => results[i] === null).map((e) => e.name);
          const failed = results.filter((r): r is string => r !== null);
          const notResumed = await resumeEntries(
            p,
            entries.map((e) => e.name),
          );
          return [
            `${p.name}: ${moved.length ? `${moved.join(", ")} now on ${primary.name}` : `no entry to retarget`}`,
            ...failed,
            notResumed.length ? `not resumed: ${notResumed.join(", ")}` : "resumed",
          ].join(", ");
        }),
      );
      resuming = Promise.resolve();
      return notes.join("; ") || "no pooler in the cluster";
    },
    /** Every entry of the cluster RESUMEd where it points now (a failed promotion leaves them on the old primary). */
    resume(): Promise<void> {
      resuming ??= clusterId ? resumeAll(ctx, clusterId) : Promise.resolve();
      return resuming;
    },
  };
}

async function resumeAll(ctx: Pick<OperationContext, "db" | "appendStep">, clusterId: string): Promise<void> {
  try {
    const { poolers, members } = await clusterOf(ctx.db, clusterId);
    const withAgent = poolers.filter((p) => p.agentUrl);
    if (!withAgent.length) return;
    const notes = await Promise.all(
      withAgent.map(async (p) => {
        const entries = await entriesOf(p, members);
        if (!entries) return `${p.name} did not answer: RESUME it by hand`;
        const failed = await resumeEntries(
          p,
          entries.map((e) => e.name),
        );
        return failed.length ? `${p.name} not resumed: ${failed.join(", ")}` : `${p.name} resumed`;
      }),
    );
    await ctx.appendStep("pools-resumed", notes.join("; "));
  } catch {
    // The promotion's own outcome matters more than this note; a paused entry shows DEGRADED on the pooler.
  }
}

async function clusterOf(db: Db, clusterId: string): Promise<{ poolers: Pooler[]; members: Endpoint[] }> {
  const [poolers, members] = await Promise.all([
    db.pooler.findMany({ where: { clusterId }, select: { id: true, name: true, agentUrl: true }, orderBy: { name: "asc" } }),
    db.databaseInstance.findMany({ where: { clusterId }, select: { id: true, name: true, host: true, port: true } }),
  ]);
  return { poolers, members };
}
