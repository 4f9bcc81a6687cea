"use client";
// The live section of a node, load balancer or database page: what it
// reports now, and its charts over the range in the URL (?range=).
import { useId } from "react";
import { ChartGrid } from "@/components/charts/chart-grid";
import { LiveChart } from "@/components/charts/live-chart";
import { RangeSelector, useRange } from "@/components/charts/range-selector";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { BackendLatency } from "@/components/realtime/backend-latency";
import { useLiveMetrics, type LiveMetrics } from "@/components/realtime/use-live-metrics";
import { StatusBadge } from "@/components/ui/badge";
import type { ChartLine } from "@/lib/metrics/live-window";
import { formatMetric, utcDateTime } from "@/lib/metrics/format";
import { subjectKey, type MetricField, type MetricSeries, type MetricSubjectType } from "@/lib/metrics/schemas";

const one =
  (field: MetricField, label: string) =>
  (series: MetricSeries[]): ChartLine[] =>
    series.map((s) => ({ id: field, label, points: s.points, field }));

const cpuAndMemory = (series: MetricSeries[]): ChartLine[] =>
  series.flatMap((s) => [
    { id: "cpu", label: "CPU", points: s.points, field: "cpu" as const },
    { id: "memory", label: "Memory", points: s.points, field: "memory" as const },
  ]);

// A member promoted while the page is open: its old lag points are not its lag now.
const replicaOnly = (field: MetricField, label: string) => (series: MetricSeries[]) => one(field, label)(series.filter((s) => s.role !== "PRIMARY"));

const charts = {
  sessions: one("sessions", "Active sessions"),
  requestRate: one("requestRate", "Requests per second"),
  latencyMs: one("latencyMs", "Latency"),
  lagBytes: replicaOnly("lagBytes", "Lag (bytes)"),
  lagSeconds: replicaOnly("lagSeconds", "Lag (seconds)"),
};

const nowFields: Record<MetricSubjectType, MetricField[]> = {
  NODE: ["sessions", "requestRate", "latencyMs", "cpu", "memory"],
  LOAD_BALANCER: ["sessions", "requestRate", "cpu", "memory"],
  DATABASE: ["lagBytes", "lagSeconds", "cpu", "memory"],
};

const nowLabels: Record<MetricField, string> = {
  sessions: "Sessions",
  requestRate: "Requests",
  latencyMs: "Latency",
  cpu: "CPU",
  memory: "Memory",
  lagBytes: "Lag",
  lagSeconds: "Lag (time)",
};

/** The latest live point, in words. */
function Now({ metrics, subjectType, subjectId, fields }: { metrics: LiveMetrics; subjectType: MetricSubjectType; subjectId: string; fields: MetricField[] }) {
  const latest = metrics.windows.get(subjectKey(subjectType, subjectId))?.latest;
  if (!latest)
    return (
      <p className="muted" style={{ margin: 0 }}>
        No live report yet: its agent reports every second once it is connected.
      </p>
    );
  return (
    <dl className="row" style={{ gap: "8px 24px", margin: 0 }}>
      <NowValue label="Health">
        <StatusBadge value={latest.health} />
      </NowValue>
      {fields.map((f) => (
        <NowValue key={f} label={nowLabels[f]}>
          <span className="mono">{formatMetric(f, latest[f] ?? null)}</span>
        </NowValue>
      ))}
      <NowValue label="Reported">{utcDateTime(latest.at)}</NowValue>
    </dl>
  );
}

function NowValue({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="stack" style={{ gap: 2 }}>
      <dt className="stat-label">{label}</dt>
      <dd style={{ margin: 0 }}>{children}</dd>
    </div>
  );
}

/**
 * `primary`: a database page's member is its cluster's primary. Replication
 * lag means nothing there (its replicas' lag is in their rows of the
 * Standbys table): no lag charts, no lag figures.
 */
export function SubjectLive({ subjectType, subjectId, primary = false }: { subjectType: MetricSubjectType; subjectId: string; primary?: boolean }) {
  const range = useRange();
  const metrics = useLiveMetrics({ subjectType, subjectId, range });
  const titleId = useId();
  const replica = subjectType === "DATABASE" && !primary;
  const fields = nowFields[subjectType].filter((f) => replica || (f !== "lagBytes" && f !== "lagSeconds"));

  return (
    <section className="stack" aria-labelledby={titleId} data-testid="subject-live">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id={titleId} style={{ margin: 0 }}>
          Live metrics
        </h2>
        <span className="row">
          <LiveIndicator />
          <RangeSelector label="Time range of the charts" />
        </span>
      </div>
      <div className="card">
        <Now metrics={metrics} subjectType={subjectType} subjectId={subjectId} fields={fields} />
      </div>
      <ChartGrid>
        {subjectType !== "DATABASE" && (
          <>
            <LiveChart title="Active sessions" metrics={metrics} field="sessions" lines={charts.sessions} />
            <LiveChart title="Requests per second" metrics={metrics} field="requestRate" lines={charts.requestRate} />
          </>
        )}
        {subjectType === "NODE" && <LiveChart title="Latency" metrics={metrics} field="latencyMs" lines={charts.latencyMs} />}
        {replica && (
          <>
            <LiveChart title="Replication lag (bytes)" metrics={metrics} field="lagBytes" lines={charts.lagBytes} />
            <LiveChart title="Replication lag (seconds)" metrics={metrics} field="lagSeconds" lines={charts.lagSeconds} />
          </>
        )}
        <LiveChart title="CPU and memory" metrics={metrics} field="cpu" lines={cpuAndMemory} />
      </ChartGrid>
      {subjectType === "NODE" && (
        <BackendLatency nodes={metrics.series} windows={metrics.windows} loading={metrics.status === "pending"} title="Back-ends seen from this node" />
      )}
    </section>
  );
}
