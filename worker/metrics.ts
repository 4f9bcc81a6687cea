// The worker's Prometheus endpoint: whether it leads, what it watches, and
// how much it costs. Loopback only; it reveals no secrets.
import http from "node:http";

export type WorkerStats = () => {
  leader: boolean;
  epoch: number;
  watched: number;
  probed: number;
  counts: { snapshots: number; failures: number; transitions: number };
};

function render(stats: ReturnType<WorkerStats>): string {
  const cpu = process.cpuUsage();
  const lines = [
    ["clusterdeck_worker_leader", "gauge", "1 while this worker holds the monitor lease", stats.leader ? 1 : 0],
    ["clusterdeck_worker_lease_epoch", "gauge", "Epoch of the lease this worker last held", stats.epoch],
    ["clusterdeck_worker_watched_agents", "gauge", "Agents with a live channel from this worker", stats.watched],
    ["clusterdeck_worker_probed_targets", "gauge", "Agentless targets probed by this worker", stats.probed],
    ["clusterdeck_worker_snapshots_total", "counter", "Agent snapshots received", stats.counts.snapshots],
    ["clusterdeck_worker_channel_failures_total", "counter", "Broken, refused or silent agent channels", stats.counts.failures],
    ["clusterdeck_worker_health_transitions_total", "counter", "Health changes published as events", stats.counts.transitions],
    ["process_cpu_seconds_total", "counter", "User and system CPU time", (cpu.user + cpu.system) / 1e6],
    ["process_resident_memory_bytes", "gauge", "Resident set size", process.memoryUsage.rss()],
  ] as const;
  return lines.map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`).join("\n") + "\n";
}

export function serveWorkerMetrics(port: number, stats: WorkerStats): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(render(stats()));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
