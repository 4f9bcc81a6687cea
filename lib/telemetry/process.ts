// prom-client's process and Node.js figures (CPU, memory, event loop lag, GC,
// handles) for the web process and the worker, minus three gauges that
// prom-client names *_total: `promtool check metrics` refuses that suffix on
// anything but a counter, and each has a twin without it (nodejs_active_handles…).
import { collectDefaultMetrics, type Registry } from "prom-client";

const MISNAMED = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
