"use client";
// The dashboard's live half: per-node and per-replica charts for the range in
// the URL, and the back-end table. Two requests feed it all (nodes, databases).
import { ChartGrid } from "@/components/charts/chart-grid";
import { LiveChart, perSubject } from "@/components/charts/live-chart";
import { RangeSelector, useRange } from "@/components/charts/range-selector";
import { useLiveMetrics } from "@/components/realtime/use-live-metrics";
import { BackendLatency } from "@/components/realtime/backend-latency";
import type { MetricSeries } from "@/lib/metrics/schemas";

const isReplica = (s: MetricSeries) => s.role === "REPLICA";
const noNodes = "No app nodes in the inventory yet.";
const noReplicas = "No replica in the inventory yet.";

// Built once: LiveChart memoises on them.
const lines = {
  sessions: perSubject("sessions"),
  requestRate: perSubject("requestRate"),
  latencyMs: perSubject("latencyMs"),
  cpu: perSubject("cpu"),
  memory: perSubject("memory"),
  lagBytes: perSubject("lagBytes", isReplica),
  lagSeconds: perSubject("lagSeconds", isReplica),
};

export function DashboardLive() {
  const range = useRange();
  const nodes = useLiveMetrics({ subjectType: "NODE", range });
  const databases = useLiveMetrics({ subjectType: "DATABASE", range });
  return (
    <>
      <section className="stack" aria-labelledby="metrics-title">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <div>
            <h2 id="metrics-title" style={{ margin: 0 }}>
              Metrics
            </h2>
            <p className="muted" style={{ margin: "4px 0 0" }}>
              Times in UTC. {nodes.live ? "Live points every second, stored samples before." : "Stored samples, refreshed every 30 s."}
            </p>
          </div>
          <RangeSelector label="Time range of the charts" />
        </div>
        <ChartGrid>
          <LiveChart title="Active sessions per node" metrics={nodes} field="sessions" lines={lines.sessions} emptyMessage={noNodes} />
          <LiveChart title="Requests per second per node" metrics={nodes} field="requestRate" lines={lines.requestRate} emptyMessage={noNodes} />
          <LiveChart title="Latency per node" metrics={nodes} field="latencyMs" lines={lines.latencyMs} emptyMessage={noNodes} />
          <LiveChart title="CPU per node" metrics={nodes} field="cpu" lines={lines.cpu} emptyMessage={noNodes} />
          <LiveChart title="Memory per node" metrics={nodes} field="memory" lines={lines.memory} emptyMessage={noNodes} />
          <LiveChart title="Replication lag per replica (bytes)" metrics={databases} field="lagBytes" lines={lines.lagBytes} emptyMessage={noReplicas} />
          <LiveChart title="Replication lag per replica (seconds)" metrics={databases} field="lagSeconds" lines={lines.lagSeconds} emptyMessage={noReplicas} />
        </ChartGrid>
      </section>
      <BackendLatency nodes={nodes.series} windows={nodes.windows} loading={nodes.status === "pending"} />
    </>
  );
}
