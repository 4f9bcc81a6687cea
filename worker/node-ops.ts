// The incident actions on an app node, run by the leader worker as durable
// operations (lib/operations/nodes.ts checks and queues them; a drain the
// other nodes could not carry is refused there unless forced):
//
//   drain        DRAINING → DRAIN in every load balancer holding the node
//                (stored as an override first, so any reload keeps it) → the
//                app stops taking new sessions → its sessions followed down to
//                zero, with an estimated finish → DRAINED. At the deadline, the
//                chosen escalation: maintenance (MAINT, cuts what is left →
//                MAINTENANCE), end the sessions and keep following, or none
//                (fails, stays draining). A cancel stops following; the node
//                stays draining.
//   resume       ACTIVE → the app takes sessions again → READY in every load
//                balancer at a low weight → overrides removed → weight raised
//                in steps (slow start).
//   maintenance  MAINT in every load balancer (stored) → the app told to drain
//                → MAINTENANCE, until a person resumes it or its end time
//                passes (expireMaintenance queues that resume).
//
// Every step is persisted before the next, and each is safe to run twice, so
// a worker that takes over simply runs the operation again from its state.
// redrainApp, outside any operation, tells an app that forgot its drain (it
// restarted) again.
import { z } from "zod";
import { AGENT_PATHS, snapshot as snapshotSchema, type AgentAction } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { callAgent, type AgentEndpoint } from "@/lib/agents/client";
import { backendName } from "@/lib/config/haproxy";
import { systemActor } from "@/lib/common/actor";
import { publishChanged } from "@/lib/realtime/publish";
import { drainProgress, operationKinds } from "@/lib/operations/kinds";
import type { Executor, OperationContext } from "@/worker/operations";
import { log } from "@/lib/log";

const actionAnswer = z.looseObject({ ok: z.literal(true), result: z.unknown().optional() });

type Balancer = { id: string; name: string; weight: number; endpoint: AgentEndpoint | null };
type NodeRow = { id: string; name: string; clusterId: string; adminState: string; activeSessions: number };

/** Every load balancer whose pool holds the node, with how to reach its agent. */
async function balancersOf(ctx: OperationContext, nodeId: string): Promise<Balancer[]> {
  const members = await ctx.db.poolMember.findMany({
    where: { nodeId },
    select: { weight: true, loadBalancer: { select: { id: true, name: true, kind: true } } },
  });
  return Promise.all(
    members.map(async (m) => ({
      id: m.loadBalancer.id,
      name: m.loadBalancer.name,
      weight: m.weight,
      endpoint: m.loadBalancer.kind === "HAPROXY" ? await agentEndpointFor("LOAD_BALANCER", m.loadBalancer.id) : null,
    })),
  );
}

async function act(endpoint: AgentEndpoint, action: AgentAction): Promise<unknown> {
  return (await callAgent(endpoint, "POST", AGENT_PATHS.actions, action, actionAnswer, 10_000)).result;
}

async function loadNode(ctx: OperationContext, id: string): Promise<NodeRow> {
  return ctx.db.node.findUniqueOrThrow({ where: { id }, select: { id: true, name: true, clusterId: true, adminState: true, activeSessions: true } });
}

async function setAdminState(
  ctx: OperationContext,
  node: NodeRow,
  adminState: "ACTIVE" | "DRAINING" | "DRAINED" | "MAINTENANCE",
  extra: { maintenanceReason?: string | null; maintenanceUntil?: Date | null } = {},
) {
  await ctx.guard((tx) => tx.node.update({ where: { id: node.id }, data: { adminState, ...extra } }));
  await publishChanged(ctx.db, "NODE", node.id);
}

/** Stores the override first (a reload in between then keeps it), then sets it in HAProxy. */
async function setServerState(ctx: OperationContext, node: NodeRow, lb: Balancer, state: "drain" | "maint", reason: string) {
  await ctx.guard((tx) =>
    tx.runtimeOverride.upsert({
      where: { nodeId_loadBalancerId_kind: { nodeId: node.id, loadBalancerId: lb.id, kind: "state" } },
      create: { nodeId: node.id, loadBalancerId: lb.id, kind: "state", value: state, reason },
      update: { value: state, reason },
    }),
  );
  if (!lb.endpoint) throw new Error(`${lb.name} has no agent the console can steer: set ${node.name} to ${state} there by hand`);
  await act(lb.endpoint, { action: "haproxy.set-state", backend: backendName(lb.name), server: node.name, state });
}

async function appAction(ctx: OperationContext, node: NodeRow, action: "app.drain" | "app.resume" | "app.end-sessions"): Promise<string | null> {
  const endpoint = await agentEndpointFor("NODE", node.id);
  if (!endpoint) return `${node.name} has no enrolled agent: the app was not told`;
  try {
    await act(endpoint, { action });
    return null;
  } catch (error) {
    return `the app's agent refused ${action}: ${(error as Error).message}`;
  }
}

/** Ends a node operation: its event names the node, its audit entry the action. */
function finish(
  ctx: OperationContext,
  node: NodeRow,
  state: "SUCCEEDED" | "FAILED" | "CANCELLED",
  kind: string,
  summary: string,
  severity: "INFO" | "WARNING" | "CRITICAL",
) {
  return ctx.finish({
    state,
    summary,
    event: { kind, severity, subjectType: "NODE", subjectId: node.id, clusterId: node.clusterId, message: `${node.name}: ${summary}` },
    audit: { action: kind, targetType: "NODE", targetId: node.id, summary: { operationId: ctx.operationId, state, summary } },
  });
}

// ---------------------------------------------------------------- drain

/**
 * Sessions on the node now, from its agent's latest snapshot (the stored
 * figure lags by a flush); null when the agent cannot say. `at` is when the
 * agent observed it.
 */
async function liveSessions(endpoint: AgentEndpoint | null): Promise<{ sessions: number; at: number } | null> {
  if (!endpoint) return null;
  try {
    const s = await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, 5000);
    return s.app ? { sessions: s.app.sessions, at: Date.parse(s.at) } : null;
  } catch {
    return null;
  }
}

/** Sessions left, from the samples of the last few seconds: when they reach zero at the current pace. */
export function estimateFinish(samples: [number, number][]): number | null {
  const recent = samples.slice(-15);
  if (recent.length < 3) return null;
  const [t0, s0] = recent[0]!;
  const [t1, s1] = recent.at(-1)!;
  if (s1 === 0) return t1;
  const rate = (s0 - s1) / ((t1 - t0) / 1000); // sessions per second
  if (rate <= 0) return null;
  return Math.round(t1 + (s1 / rate) * 1000);
}

export const drainExecutor: Executor = async (ctx) => {
  const p = await ctx.params(operationKinds["node.drain"].params);
  const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true, startedAt: true } });
  let node = await loadNode(ctx, op.subjectId);
  const balancers = await balancersOf(ctx, node.id);

  if (node.adminState === "ACTIVE") {
    await ctx.appendStep("setting DRAIN", `in ${balancers.map((b) => b.name).join(", ") || "no load balancer"}`);
    await setAdminState(ctx, node, "DRAINING");
    for (const lb of balancers) await setServerState(ctx, node, lb, "drain", p.reason);
    const appProblem = await appAction(ctx, node, "app.drain");
    await ctx.appendStep("the app takes no new sessions", appProblem ?? undefined);
  } else if (node.adminState !== "DRAINING") {
    return finish(ctx, node, "FAILED", "node.drain-failed", `is ${node.adminState.toLowerCase()}: not drained`, "WARNING");
  } else {
    // Resumed by another worker: make sure the load balancers still hold DRAIN (idempotent).
    for (const lb of balancers) await setServerState(ctx, node, lb, "drain", p.reason);
    await ctx.appendStep("resumed", "following the sessions again");
  }

  const startedAt = (op.startedAt ?? new Date()).getTime();
  const deadline = startedAt + p.deadlineSeconds * 1000;
  const samples = (await ctx.progress(drainProgress)).samples.slice(-600);
  const nodeAgent = await agentEndpointFor("NODE", node.id);
  // Zero counts only when observed after the app was told to drain, twice in a row.
  const drainTold = Date.now();
  let zeros = 0;
  await ctx.appendStep("following sessions", `deadline ${new Date(deadline).toISOString()}, then ${p.escalation}`);
  for (;;) {
    ctx.signal.throwIfAborted();
    node = await loadNode(ctx, node.id);
    const live = await liveSessions(nodeAgent);
    const now = Date.now();
    const sessions = live?.sessions ?? node.activeSessions;
    zeros = sessions === 0 && (live ? live.at > drainTold : true) ? zeros + 1 : 0;
    samples.push([now, sessions]);
    if (samples.length > 600) samples.shift();
    const eta = estimateFinish(samples);
    await ctx.setProgress({ samples, sessions, estimatedFinish: eta, deadline });
    if (zeros >= 2) break;
    if (await ctx.cancelRequested()) {
      return finish(
        ctx,
        node,
        "CANCELLED",
        "node.drain-cancelled",
        `drain cancelled with ${sessions} session(s) left; the node stays draining until resumed`,
        "WARNING",
      );
    }
    if (now >= deadline) {
      if (p.escalation === "maintenance") {
        await ctx.appendStep("deadline: maintenance", `${sessions} session(s) left are cut`);
        for (const lb of balancers) await setServerState(ctx, node, lb, "maint", p.reason);
        await setAdminState(ctx, node, "MAINTENANCE", { maintenanceReason: `drain deadline passed: ${p.reason}` });
        return finish(ctx, node, "SUCCEEDED", "node.drained", `deadline passed with ${sessions} session(s): put in maintenance`, "WARNING");
      }
      if (p.escalation === "end-sessions") {
        const problem = await appAction(ctx, node, "app.end-sessions");
        await ctx.appendStep("deadline: ending sessions", problem ?? `${sessions} session(s) ended`);
        if (problem) return finish(ctx, node, "FAILED", "node.drain-failed", `deadline passed and the sessions could not be ended: ${problem}`, "CRITICAL");
        // Their end shows in the next samples.
        await new Promise((r) => setTimeout(r, 1500));
        continue;
      }
      return finish(ctx, node, "FAILED", "node.drain-failed", `deadline passed with ${sessions} session(s) left; the node stays draining`, "WARNING");
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await setAdminState(ctx, node, "DRAINED");
  return finish(ctx, node, "SUCCEEDED", "node.drained", `drained: no session left after ${Math.round((Date.now() - startedAt) / 1000)} s`, "INFO");
};

// ---------------------------------------------------------------- resume

export const resumeExecutor: Executor = async (ctx) => {
  const p = await ctx.params(operationKinds["node.resume"].params);
  const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true } });
  const node = await loadNode(ctx, op.subjectId);
  const balancers = await balancersOf(ctx, node.id);
  // ACTIVE first (so nothing drains the app again), then the app, then the
  // balancers: when they send traffic again, the app must take it.
  await setAdminState(ctx, node, "ACTIVE", { maintenanceReason: null, maintenanceUntil: null });
  const appProblem = await appAction(ctx, node, "app.resume");
  await ctx.appendStep("the app takes sessions again", appProblem ?? undefined);
  const ramp = p.slowStartSeconds > 0 ? [0.1, 0.25, 0.5, 1] : [1];
  for (const lb of balancers) {
    if (!lb.endpoint) throw new Error(`${lb.name} has no agent the console can steer: set ${node.name} ready there by hand`);
    // Low weight before READY, so the first moment does not bring a full share.
    await act(lb.endpoint, {
      action: "haproxy.set-weight",
      backend: backendName(lb.name),
      server: node.name,
      weight: Math.max(1, Math.round(lb.weight * ramp[0]!)),
    });
    await act(lb.endpoint, { action: "haproxy.set-state", backend: backendName(lb.name), server: node.name, state: "ready" });
  }
  await ctx.guard((tx) => tx.runtimeOverride.deleteMany({ where: { nodeId: node.id, kind: "state" } }));
  await ctx.appendStep("ready", `in ${balancers.map((b) => b.name).join(", ") || "no load balancer"}`);
  for (const share of ramp.slice(1)) {
    await new Promise((r) => setTimeout(r, (p.slowStartSeconds * 1000) / (ramp.length - 1)));
    ctx.signal.throwIfAborted();
    for (const lb of balancers)
      await act(lb.endpoint!, {
        action: "haproxy.set-weight",
        backend: backendName(lb.name),
        server: node.name,
        weight: Math.max(1, Math.round(lb.weight * share)),
      });
    await ctx.appendStep(`weight ${Math.round(share * 100)}%`);
  }
  return finish(ctx, node, "SUCCEEDED", "node.resumed", `back in service${p.slowStartSeconds ? ` (slow start over ${p.slowStartSeconds} s)` : ""}`, "INFO");
};

// ---------------------------------------------------------------- maintenance

export const maintenanceExecutor: Executor = async (ctx) => {
  const p = await ctx.params(operationKinds["node.maintenance"].params);
  const op = await ctx.db.operation.findUniqueOrThrow({ where: { id: ctx.operationId }, select: { subjectId: true } });
  const node = await loadNode(ctx, op.subjectId);
  const balancers = await balancersOf(ctx, node.id);
  for (const lb of balancers) await setServerState(ctx, node, lb, "maint", p.reason);
  const appProblem = await appAction(ctx, node, "app.drain");
  await setAdminState(ctx, node, "MAINTENANCE", { maintenanceReason: p.reason, maintenanceUntil: p.until ? new Date(p.until) : null });
  await ctx.appendStep("in maintenance", appProblem ?? (p.until ? `until ${p.until}` : "until resumed"));
  return finish(ctx, node, "SUCCEEDED", "node.maintenance", `in maintenance: ${p.reason}${p.until ? ` (until ${p.until})` : ""}`, "WARNING");
};

/** Nodes whose maintenance window has ended come back by themselves (a resume with slow start). */
export async function expireMaintenance(db: OperationContext["db"]): Promise<number> {
  const { startNodeOperation } = await import("@/lib/operations/nodes");
  const due = await db.node.findMany({ where: { adminState: "MAINTENANCE", maintenanceUntil: { lt: new Date() } }, select: { id: true, name: true } });
  let started = 0;
  for (const node of due) {
    try {
      await startNodeOperation(
        node.id,
        { kind: "node.resume", body: { reason: "maintenance window ended", slowStartSeconds: 20 } },
        { actor: systemActor("worker"), requestId: `maintenance-expiry:${node.id}`, clientIp: null },
        null,
      );
      started++;
    } catch {
      // Something else is already in progress on it (a person resuming it): fine.
    }
  }
  return started;
}

/**
 * The app of a node held out of service forgot its drain (it restarted): tell
 * it again. The monitor's view of the node may be seconds old, so the stored
 * admin state is read first: a node resumed meanwhile is left alone.
 */
export async function redrainApp(db: OperationContext["db"], target: AgentEndpoint & { id: string; name: string; adminState?: string }): Promise<void> {
  const node = await db.node.findUnique({ where: { id: target.id }, select: { adminState: true } });
  if (!node || node.adminState === "ACTIVE") return;
  await act(target, { action: "app.drain" });
  log.info("worker.app-redrained", { node: target.name, adminState: target.adminState });
}
