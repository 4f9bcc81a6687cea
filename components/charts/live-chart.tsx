"use client";
// A chart of one field for the subjects of a page: stored samples of the
// chosen range merged with live points (useLiveMetrics does the merge, once
// for every chart on the page). Each chart picks its field, its lines and its
// words, and shows an explicit loading, error or empty state.
import { useMemo } from "react";
import { chartRows, latestValue, type ChartLine } from "@/lib/metrics/live-window";
import { formatMetric, utcTime } from "@/lib/metrics/format";
import { rangeSpecs, type MetricField, type MetricSeries } from "@/lib/metrics/schemas";
import type { LiveMetrics } from "@/components/realtime/use-live-metrics";
import { ChartFrame, type ChartState } from "@/components/charts/chart-frame";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { stableOrder } from "@/components/charts/palette";

const HEIGHT = 200;

/** One line per subject, for `field`. */
export const perSubject =
  (field: MetricField, filter: (s: MetricSeries) => boolean = () => true) =>
  (series: MetricSeries[]): ChartLine[] =>
    series.filter(filter).map((s) => ({ id: s.key, label: s.name, points: s.points, field }));

export function LiveChart({
  title,
  metrics,
  field,
  lines: select,
  emptyMessage,
}: {
  title: string;
  metrics: LiveMetrics;
  /** Units and axis of the chart. */
  field: MetricField;
  /** Which lines to draw (default: one per subject, for `field`). */
  lines?: (series: MetricSeries[]) => ChartLine[];
  emptyMessage?: string;
}) {
  const lines = useMemo(() => (select ?? perSubject(field))(metrics.series), [select, field, metrics.series]);
  const rows = useMemo(() => chartRows(lines, metrics.from), [lines, metrics.from]);
  const drawn = useMemo(() => {
    const order = stableOrder(lines);
    return lines.map((l) => ({ id: l.id, label: l.label, style: order.get(l.id) ?? 0 }));
  }, [lines]);
  const spec = rangeSpecs[metrics.params.range];

  const summary = useMemo(() => {
    const latest = lines
      .map((l) => ({ label: l.label, v: latestValue(l.points, l.field) }))
      .filter((x): x is { label: string; v: { at: number; value: number } } => x.v !== null);
    if (latest.length === 0) return `${title}: no values in this range.`;
    const newest = Math.max(...latest.map((x) => x.v.at));
    const parts = latest.slice(0, 20).map((x) => `${x.label} ${formatMetric(field, x.v.value)}`);
    const more = latest.length > 20 ? `, and ${latest.length - 20} more` : "";
    return `${title}, latest values (as of ${utcTime(newest)} UTC): ${parts.join(", ")}${more}.`;
  }, [lines, field, title]);

  let state: ChartState;
  if (metrics.status === "pending") state = { kind: "loading" };
  else if (!metrics.answer) state = { kind: "error", message: metrics.error?.message ?? "unknown error", onRetry: metrics.refetch };
  else if (rows.length === 0) state = { kind: "empty", message: lines.length === 0 && emptyMessage ? emptyMessage : undefined };
  else state = { kind: "ready" };

  const notes: string[] = [];
  if (metrics.error && metrics.answer) notes.push("Refreshing stored samples failed; the chart may be behind");
  if (metrics.answer && metrics.answer.totalSeries > metrics.answer.series.length)
    notes.push(`${metrics.answer.series.length} of ${metrics.answer.totalSeries} shown (unhealthy and busiest first)`);
  const a = metrics.answer;
  if (a && a.preferred !== "RAW" && a.sources.includes("RAW"))
    notes.push(a.sources.length === 1 ? "averaged from 10 s samples (no roll-up written yet)" : "partly from 10 s samples (roll-up not written yet)");

  return (
    <ChartFrame title={title} summary={summary} state={state} height={HEIGHT} note={notes.length ? notes.join(" · ") : undefined}>
      <TimeSeriesChart
        rows={rows}
        lines={drawn}
        field={field}
        from={metrics.from}
        to={metrics.to}
        tickMs={spec.tickMs}
        withDate={metrics.params.range === "7d"}
        height={HEIGHT}
      />
    </ChartFrame>
  );
}
