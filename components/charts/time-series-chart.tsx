"use client";
// A line chart over time (recharts), one line per subject or per field. Time
// runs left to right in UTC; values carry their unit in the tooltip.
import { memo } from "react";
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { ChartRow } from "@/lib/metrics/live-window";
import type { MetricField } from "@/lib/metrics/schemas";
import { formatMetric, formatTick, utcDateTime, utcTime } from "@/lib/metrics/format";
import { timeTicks } from "@/lib/metrics/live-window";
import { lineStyle } from "@/components/charts/palette";

export type DrawnLine = { id: string; label: string; style: number };

const TOOLTIP_MAX = 8;
const LEGEND_MAX = 12;

function ChartTooltip({ active, payload, label, field }: TooltipContentProps & { field: MetricField }) {
  if (!active || !payload?.length) return null;
  const entries = payload.filter((p) => typeof p.value === "number").sort((a, b) => (b.value as number) - (a.value as number));
  const shown = entries.slice(0, TOOLTIP_MAX);
  return (
    <div className="card" style={{ padding: "8px 10px", fontSize: 12.5, boxShadow: "0 4px 16px rgb(0 0 0 / 0.15)" }}>
      <div style={{ fontWeight: 600, marginBottom: 4 }}>{typeof label === "number" ? utcDateTime(label) : null}</div>
      {shown.map((p) => (
        <div key={String(p.dataKey)} className="row" style={{ gap: 6, flexWrap: "nowrap" }}>
          <span aria-hidden="true" style={{ width: 10, height: 2, background: p.color, display: "inline-block" }} />
          <span style={{ flex: 1 }}>{String(p.name)}</span>
          <span className="mono">{formatMetric(field, p.value as number)}</span>
        </div>
      ))}
      {entries.length > shown.length && <div className="muted">and {entries.length - shown.length} more</div>}
    </div>
  );
}

/** Memoised: the page around it re-renders every second for live values; the drawing only when its data changes. */
export const TimeSeriesChart = memo(function TimeSeriesChart({
  rows,
  lines,
  field,
  from,
  to,
  tickMs,
  withDate,
  height,
}: {
  rows: ChartRow[];
  lines: DrawnLine[];
  /** Decides units and the value axis (CPU and memory are fractions, drawn 0–100 %). */
  field: MetricField;
  from: number;
  to: number;
  tickMs: number;
  withDate: boolean;
  height: number;
}) {
  const fraction = field === "cpu" || field === "memory";
  return (
    // The figure around it gives screen readers a summary in words; the drawing itself is hidden from them, so not focusable either.
    <LineChart responsive accessibilityLayer={false} data={rows} style={{ width: "100%", height }} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
      <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="at"
        type="number"
        scale="time"
        domain={[from, to]}
        allowDataOverflow
        ticks={timeTicks(from, to, tickMs)}
        tickFormatter={(v: number) => utcTime(v, withDate)}
        stroke="var(--muted)"
        fontSize={11}
      />
      <YAxis
        domain={fraction ? [0, 1] : [0, "auto"]}
        tickFormatter={(v: number) => formatTick(field, v)}
        stroke="var(--muted)"
        fontSize={11}
        width={field === "lagBytes" ? 68 : 44}
        allowDecimals={!(field === "sessions")}
      />
      <Tooltip content={(props) => <ChartTooltip {...props} field={field} />} isAnimationActive={false} />
      {lines.length <= LEGEND_MAX && lines.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
      {lines.map((line) => (
        <Line
          key={line.id}
          dataKey={line.id}
          name={line.label}
          type="linear"
          dot={false}
          strokeWidth={1.75}
          connectNulls
          isAnimationActive={false}
          {...lineStyle(line.style)}
        />
      ))}
    </LineChart>
  );
});
