// The worker process: competes for the monitor lease and, while it holds it,
// watches every agent. Several may run; one monitors, the others wait to
// take over. worker/run.ts is the process entry; `clusterdeck start` runs it too.
import os from "node:os";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { LeaderLease } from "@/worker/lease";
import { Monitor } from "@/worker/monitor";
import { defaultConnectionOptions } from "@/worker/agent-connection";
import { Recorder } from "@/worker/recorder";
import { RetentionJob } from "@/worker/retention";
import { Prober } from "@/worker/prober";
import { serveWorkerMetrics } from "@/worker/metrics";
import { OperationRunner } from "@/worker/operations";
import { restoreOverrides } from "@/worker/overrides";
import { allExecutors } from "@/worker/executors";
import { expireMaintenance, redrainApp } from "@/worker/node-ops";
import { refenceFormerPrimary } from "@/worker/db-ops";
import { AutoFailover } from "@/worker/auto-failover";
import { SlotKeeper } from "@/worker/db-slots";
import { SyncKeeper } from "@/worker/db-sync";
import { env, requireDatabaseUrl } from "@/lib/env";

/** Agents on https must present a certificate we trust: the system's CAs, or CLUSTERDECK_AGENT_CA_FILE. */
function connectionOptions() {
  const caFile = env().CLUSTERDECK_AGENT_CA_FILE;
  return { ...defaultConnectionOptions, tls: caFile ? { ca: readFileSync(caFile), rejectUnauthorized: true } : undefined };
}

const MONITOR_LEASE = "monitor";

export type WorkerHandle = { stop(): Promise<void>; lease: LeaderLease; monitor(): Monitor | null };

export function startWorker(options: { holder?: string } = {}): WorkerHandle {
  const holder = options.holder ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Which database it competes on (its password masked by the logger), so a stray worker is easy to find.
  log.info("worker.started", { holder, database: requireDatabaseUrl(), metricsPort: env().CLUSTERDECK_WORKER_METRICS_PORT ?? null });
  const recorder = new Recorder(db);
  const retention = new RetentionJob(db);
  let monitor: Monitor | null = null;
  let prober: Prober | null = null;
  let operations: OperationRunner | null = null;
  let maintenanceTimer: NodeJS.Timeout | null = null;
  let autoFailover: AutoFailover | null = null;
  let slotKeeper: SlotKeeper | null = null;
  let syncKeeper: SyncKeeper | null = null;

  const lease = new LeaderLease(db, MONITOR_LEASE, holder, {
    async onElected(epoch) {
      log.info("worker.elected", { holder, epoch });
      recorder.start();
      retention.start();
      monitor = new Monitor(recorder, {
        initialHealth: (t) => t.health,
        connection: connectionOptions(),
        // A reload outside a deployment (by hand, a restart) must not undo drains either.
        onHaproxyReloaded: async (t) => {
          const restored = await restoreOverrides(db, t.id, t);
          if (restored) log.info("worker.overrides-restored", { loadBalancer: t.name, overrides: restored });
        },
        // Split brain guard: a former primary that comes back writable is fenced at once.
        onFormerPrimaryWritable: (t) => refenceFormerPrimary(db, t),
        // The app forgets its drain when it restarts; the console does not.
        onAppNotDraining: (t) => redrainApp(db, t),
      });
      await monitor.start().catch((error) => log.error("worker.monitor-start-failed", { error: String(error) }));
      prober = new Prober(db, recorder);
      await prober.start().catch((error) => log.error("worker.prober-start-failed", { error: String(error) }));
      operations = new OperationRunner(db, holder, allExecutors(), { listenUrl: requireDatabaseUrl(), leaderLease: MONITOR_LEASE });
      operations.start();
      autoFailover = new AutoFailover(db, { primaryView: (id) => monitor?.postgresView(id) });
      autoFailover.start();
      slotKeeper = new SlotKeeper(db);
      slotKeeper.start();
      syncKeeper = new SyncKeeper(db);
      syncKeeper.start();
      maintenanceTimer = setInterval(
        () => void expireMaintenance(db).catch((error) => log.warn("worker.maintenance-expiry-failed", { error: String(error) })),
        5000,
      );
    },
    async onDeposed(why) {
      log.warn("worker.deposed", { holder, why });
      monitor?.stop();
      monitor = null;
      prober?.stop();
      prober = null;
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      autoFailover?.stop();
      autoFailover = null;
      slotKeeper?.stop();
      slotKeeper = null;
      syncKeeper?.stop();
      syncKeeper = null;
      await operations?.stop();
      operations = null;
      retention.stop();
      await recorder.stop();
    },
  });
  lease.start();

  const metricsPort = env().CLUSTERDECK_WORKER_METRICS_PORT;
  const counts = { snapshots: 0, failures: 0, transitions: 0 };
  const metricsServer = metricsPort
    ? serveWorkerMetrics(metricsPort, () => ({
        leader: lease.isLeader,
        epoch: lease.currentEpoch,
        watched: monitor?.size ?? 0,
        probed: prober?.size ?? 0,
        counts: monitor?.counts ?? counts,
      })).catch((error) => {
        log.error("worker.metrics-listen-failed", { port: metricsPort, error: String(error) });
        return null;
      })
    : Promise.resolve(null);

  return {
    lease,
    monitor: () => monitor,
    async stop() {
      (await metricsServer)?.close();
      await lease.stop();
      monitor?.stop();
      prober?.stop();
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      autoFailover?.stop();
      slotKeeper?.stop();
      syncKeeper?.stop();
      await operations?.stop();
      retention.stop();
      await recorder.stop();
    },
  };
}
