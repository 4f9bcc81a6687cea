// GET /metrics: Prometheus text, the agent's own families (read from the
// collector at scrape time) and then the driver's. Who may scrape is the
// pipeline's business (http/auth.ts).
import { Registry } from "prom-client";
import { version } from "@/lib/agent-protocol/version";
import type { Exchange } from "../http/route";
import { family, PROMETHEUS_CONTENT_TYPE } from "../prom";
import type { AgentState } from "../state";

function agentFamilies(agent: AgentState, registry: Registry): void {
  const { collector, config } = agent;
  const latest = collector.latest;
  const host = latest?.host;
  const health = latest?.health;
  family(registry, "clusterdeck_agent_up", "gauge", "1 while the agent process runs.", 1);
  family(registry, "clusterdeck_agent_info", "gauge", "The agent's identity.", [{ labels: { role: config.role, name: config.name, version }, value: 1 }]);
  family(registry, "clusterdeck_agent_start_time_seconds", "gauge", "When the agent started (Unix time).", agent.startedAt.getTime() / 1000);
  family(
    registry,
    "clusterdeck_agent_health",
    "gauge",
    "1 for the health of the latest snapshot.",
    (["UP", "DEGRADED", "DOWN"] as const).map((s) => ({ labels: { state: s }, value: health === s ? 1 : 0 })),
  );
  family(
    registry,
    "clusterdeck_agent_collect_duration_seconds",
    "gauge",
    "How long the last driver collect took.",
    collector.lastDurationMs === undefined ? NaN : collector.lastDurationMs / 1000,
  );
  family(registry, "clusterdeck_agent_collects_total", "counter", "Driver collects started.", collector.collectsTotal);
  family(registry, "clusterdeck_agent_collect_failures_total", "counter", "Driver collects that threw or overran the interval.", collector.failuresTotal);
  family(registry, "clusterdeck_agent_snapshot_seq", "gauge", "seq of the latest snapshot.", collector.seq);
  family(registry, "clusterdeck_agent_streams", "gauge", "Open /v1/stream connections.", agent.streams.size);
  family(
    registry,
    "clusterdeck_agent_refused_requests_total",
    "counter",
    "Requests refused, by reason.",
    agent.refusals.entries().map(([reason, value]) => ({ labels: { reason }, value })),
  );
  if (host) {
    family(registry, "clusterdeck_agent_host_cpu_ratio", "gauge", "Host CPU busy share between the last two snapshots (0..1).", host.cpu);
    family(registry, "clusterdeck_agent_host_memory_used_bytes", "gauge", "Host memory in use.", host.memoryUsed);
    family(registry, "clusterdeck_agent_host_memory_total_bytes", "gauge", "Host memory.", host.memoryTotal);
    family(registry, "clusterdeck_agent_host_load1", "gauge", "Host 1-minute load average.", host.load1);
  }
}

export async function metrics(agent: AgentState, x: Exchange): Promise<void> {
  const own = new Registry();
  agentFamilies(agent, own);
  // The driver fills a registry of its own: one that throws half-way loses its families, not the agent's.
  const registries = [own];
  try {
    const driverRegistry = new Registry();
    agent.driver.metrics(driverRegistry);
    registries.push(driverRegistry);
  } catch (error) {
    agent.log({ level: "error", msg: "driver metrics failed", error: (error as Error).message });
  }
  const text = await Registry.merge(registries).metrics();
  x.res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  x.res.end(text);
}
