// Test and benchmark helpers for a switchover seen from the apps: demo app
// servers writing to a cluster's primary through their settings files, each
// enrolled as an app node with an agent beside it (optionally able to hold
// writes), and a client writing through them in a loop.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { systemActor } from "@/lib/common/actor";
import { canonicalJson } from "@/lib/agent-protocol/config/checksum";
import { makeLabDir, removeDir } from "@/lab/dirs";
import { freePort } from "@/lab/ports";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent } from "@/agent/server";
import { startAppServer, type AppServer } from "@/demo/app-server";

const audit = { actor: systemActor("test"), requestId: "app-nodes", clientIp: null };

export type EnrolledApps = { apps: AppServer[]; nodeIds: string[]; stop(): Promise<void> };

/**
 * `count` demo apps writing to primaryUrl, enrolled in the cluster with their
 * agents, and the app settings deployed through the console (so a promotion
 * re-points them). `hold`: their agents may hold writes.
 */
export async function enrolledApps(clusterId: string, primaryUrl: string, opts: { count?: number; hold: boolean }): Promise<EnrolledApps> {
  const { db } = await import("@/lib/db");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const { createRevision } = await import("@/lib/config/revisions");
  const { startDeployment } = await import("@/lib/config/deployments");
  const dir = await makeLabDir("app-nodes");
  const stops: (() => Promise<unknown>)[] = [() => removeDir(dir)];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    const settings = canonicalJson({ database: { url: primaryUrl }, sessionIdleSeconds: 60, logLevel: "info" });
    const apps: AppServer[] = [];
    const nodeIds: string[] = [];
    for (let i = 1; i <= (opts.count ?? 2); i++) {
      const settingsFile = path.join(dir, `app-${i}.json`);
      await writeFile(settingsFile, settings, { mode: 0o600 });
      const app = await startAppServer({ port: 0, name: `app-${i}`, settingsFile });
      stops.push(() => app.close());
      apps.push(app);
      // Picked just before the agent binds it: a port picked earlier could go to a port-0 server in between.
      const agentPort = await freePort();
      const node = await createNode(
        { clusterId, name: `app-${i}`, host: "127.0.0.1", port: app.port, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${agentPort}` },
        audit,
      );
      nodeIds.push(node.id);
      const { config } = await issueAgentCredential("NODE", node.id, audit);
      const hold = opts.hold ? { holdWritesUrl: `${app.url}/admin/hold-writes`, releaseWritesUrl: `${app.url}/admin/release-writes` } : {};
      const agent = await startAgent(
        parseConfig({
          ...config,
          intervalMs: 250,
          app: { ...(config as { app: object }).app, timeoutMs: 200, settingsFile, reloadUrl: `${app.url}/admin/reload`, ...hold },
        } as AgentConfigInput),
        { log: () => {} },
      );
      stops.push(() => agent.close());
    }
    const rev = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings), message: "app nodes" }, audit);
    const dep = await startDeployment(rev.id, { batchSize: apps.length, pauseSeconds: 0, reason: "app nodes" }, audit, null);
    for (const until = Date.now() + 30_000; ;) {
      const { state, error } = await db.operation.findUniqueOrThrow({ where: { id: dep.id }, select: { state: true, error: true } });
      if (state === "SUCCEEDED") break;
      if (state === "FAILED" || state === "CANCELLED" || Date.now() > until) throw new Error(`deploying the app settings: ${state} ${error ?? ""}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { apps, nodeIds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type WriteSample = { at: number; ms: number; ok: boolean };

/**
 * `loops` clients, each POSTing /write to the apps in turn, one after the
 * other, with a unique payload; it remembers the acknowledged payloads and
 * every request's outcome and latency (performance.now() at its start).
 */
export function writeLoop(apps: AppServer[], loops = 2) {
  const acked: string[] = [];
  const samples: WriteSample[] = [];
  const errors: string[] = [];
  let stop = false;
  let n = 0;
  const loop = async (k: number) => {
    while (!stop) {
      const payload = `w${k}-${n++}`;
      const app = apps[n % apps.length]!;
      const at = performance.now();
      let ok = false;
      try {
        const res = await fetch(`${app.url}/write`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ payload }),
          signal: AbortSignal.timeout(40_000),
        });
        const text = await res.text();
        ok = res.status === 201;
        if (ok) acked.push(payload);
        else errors.push(`${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        errors.push((error as Error).message);
      }
      samples.push({ at, ms: performance.now() - at, ok });
      if (!ok) await new Promise((r) => setTimeout(r, 5));
    }
  };
  const running = Promise.all(Array.from({ length: loops }, (_, k) => loop(k)));
  return {
    acked,
    samples,
    errors,
    async stop() {
      stop = true;
      await running;
    },
  };
}
