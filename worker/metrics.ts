// The worker's Prometheus endpoint: whether it leads, what it watches, and
// how much it costs. Loopback only (127.0.0.1); it reveals no secrets.
// Through prom-client: each figure is read from the worker at scrape time
// (a collect callback), and the process figures are prom-client's defaults.
import http from "node:http";
import { Counter, Gauge, Registry } from "prom-client";
import { registerProcessMetrics } from "@/lib/telemetry/process";

export type WorkerStats = () => {
  leader: boolean;
  epoch: number;
  watched: number;
  probed: number;
  counts: { snapshots: number; failures: number; transitions: number };
};

type Stats = ReturnType<WorkerStats>;

export function workerRegistry(stats: WorkerStats): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, value: (s: Stats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(stats()));
      },
    });
  // The worker keeps its own running totals; a scrape reports them as they are.
  const counter = (name: string, help: string, value: (s: Stats) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(stats()));
      },
    });
  gauge("clusterdeck_worker_leader", "1 while this worker holds the monitor lease", (s) => (s.leader ? 1 : 0));
  gauge("clusterdeck_worker_lease_epoch", "Epoch of the lease this worker last held", (s) => s.epoch);
  gauge("clusterdeck_worker_watched_agents", "Agents with a live channel from this worker", (s) => s.watched);
  gauge("clusterdeck_worker_probed_targets", "Agentless targets probed by this worker", (s) => s.probed);
  counter("clusterdeck_worker_snapshots_total", "Agent snapshots received", (s) => s.counts.snapshots);
  counter("clusterdeck_worker_channel_failures_total", "Broken, refused or silent agent channels", (s) => s.counts.failures);
  counter("clusterdeck_worker_health_transitions_total", "Health changes published as events", (s) => s.counts.transitions);
  // process_cpu_seconds_total, process_resident_memory_bytes and the rest of prom-client's process and Node.js figures.
  registerProcessMetrics(registry);
  return registry;
}

export function serveWorkerMetrics(port: number, stats: WorkerStats): Promise<http.Server> {
  const registry = workerRegistry(stats);
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
