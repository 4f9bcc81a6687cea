// A planned switchover holds the cluster's writes in its apps rather than let
// them hit a fenced primary: every app node whose agent can (app.hold-writes)
// makes new writes wait, for a bound, until the promotion has pointed it at
// the new primary and releases it. An app that cannot hold, or does not
// answer, is named and the switchover goes on: it fails writes as before.
import { AgentCallError } from "@/lib/agents/client";
import { act } from "@/worker/db-agent";
import type { OperationContext } from "@/worker/operations";

type Held = { id: string; name: string };

/** An app agent's answer within this, or the switchover goes on without it. */
const CALL_TIMEOUT_MS = 3000;

function why(error: unknown): string {
  if (error instanceof AgentCallError && error.status === 422) return "cannot hold writes";
  return `did not hold: ${(error as Error).message}`.slice(0, 200);
}

/** Holds writes on every app node of the cluster, in parallel; returns the ones holding and a sentence. */
async function holdAppWrites(db: OperationContext["db"], clusterId: string, ms: number): Promise<{ held: Held[]; note: string }> {
  const nodes = await appNodes(db, clusterId);
  if (!nodes.length) return { held: [], note: "no app node with an agent: no writes held" };
  const results = await Promise.all(
    nodes.map((n) =>
      act("NODE", n.id, { action: "app.hold-writes", ms }, CALL_TIMEOUT_MS).then(
        () => ({ node: n, problem: null }),
        (error: unknown) => ({ node: n, problem: why(error) }),
      ),
    ),
  );
  const held = results.filter((r) => !r.problem).map((r) => r.node);
  const others = results.filter((r) => r.problem).map((r) => `${r.node.name} ${r.problem}`);
  const note = [held.length ? `writes held on ${held.map((n) => n.name).join(", ")} for up to ${ms / 1000} s` : "no app node holds writes", ...others].join(
    "; ",
  );
  return { held, note };
}

/** Releases the holds; a node that does not answer lets its writes go at the hold's bound. */
async function releaseAppWrites(held: Held[]): Promise<string> {
  const results = await Promise.all(
    held.map((n) =>
      act("NODE", n.id, { action: "app.release-writes" }, CALL_TIMEOUT_MS).then(
        () => null,
        (error: unknown) =>
          // A node that cannot hold held nothing (a worker that took over releases them all).
          error instanceof AgentCallError && error.status === 422
            ? null
            : `${n.name} did not answer (${(error as Error).message.slice(0, 200)}): its writes go on at the hold's bound`,
      ),
    ),
  );
  const failed = results.filter((r): r is string => r !== null);
  return [`writes released on ${held.length - failed.length} of ${held.length} app node(s)`, ...failed].join("; ");
}

/**
 * One promotion's hold. `release` runs once however often it is called (after
 * the apps step, before any finish, and when the promotion throws) and
 * records a "released" step when it can.
 */
export function appWriteHold(ctx: Pick<OperationContext, "db" | "appendStep">) {
  let held: Held[] = [];
  let releasing: Promise<void> | undefined;
  return {
    async hold(clusterId: string, ms: number): Promise<string> {
      const r = await holdAppWrites(ctx.db, clusterId, ms);
      held = r.held;
      releasing = undefined;
      return r.note;
    },
    /** A worker that took over after the apps step: its predecessor may have died holding them. */
    async adoptAll(clusterId: string): Promise<void> {
      held = await appNodes(ctx.db, clusterId);
      releasing = undefined;
    },
    release(): Promise<void> {
      releasing ??= held.length
        ? releaseAppWrites(held).then(
            (note) => ctx.appendStep("released", note).catch(() => {}),
            () => {},
          )
        : Promise.resolve();
      return releasing;
    },
  };
}

function appNodes(db: OperationContext["db"], clusterId: string): Promise<Held[]> {
  return db.node.findMany({ where: { clusterId, agentUrl: { not: null } }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}
