// Stored samples for the chosen range (refetched every 30 s) merged with the
// live points of the stream, per subject. One call feeds every chart of a
// page: the merge is done once, each chart only picks its field.
import { useMemo } from "react";
import { emptyWindow, mergeStoredAndLive } from "@/lib/metrics/live-window";
import { useStoredMetrics, type MetricsParams } from "@/lib/metrics/queries";
import { rangeSpecs, subjectKey, type MetricSeries, type MetricsAnswer } from "@/lib/metrics/schemas";
import { useLiveWindows } from "@/components/realtime/live-provider";
import type { LiveWindows } from "@/components/realtime/live-store";
import { useThrottledValue } from "@/components/realtime/use-throttled";

const noWindows: LiveWindows = new Map();

export type LiveMetrics = {
  params: MetricsParams;
  status: "pending" | "error" | "success";
  /** Set when the last fetch failed (data, if any, is from an earlier one). */
  error: Error | null;
  refetch: () => void;
  /** The window to draw, epoch ms; follows live points for the short ranges. */
  from: number;
  to: number;
  resolutionSeconds: number;
  /** Whether live points are merged in (15m and 1h). */
  live: boolean;
  answer: MetricsAnswer | undefined;
  /** Stored and live points merged, in the answer's order. */
  series: MetricSeries[];
  /** Each subject's live window, for what only live points carry (back-ends). */
  windows: LiveWindows;
};

export function useLiveMetrics(params: MetricsParams): LiveMetrics {
  const spec = rangeSpecs[params.range];
  const query = useStoredMetrics(params);
  const answer = query.data;
  const keys = useMemo(
    () => (answer ? answer.series.map((s) => s.key) : params.subjectId ? [subjectKey(params.subjectType, params.subjectId)] : []),
    [answer, params.subjectId, params.subjectType],
  );
  const windows = useLiveWindows(keys);
  const liveBucketMs = spec.liveBucketMs;
  // Charts follow live points at the pace their buckets can show (and not at
  // all for 24h and 7d); `windows` itself stays current for tables and values.
  const chartWindows = useThrottledValue(liveBucketMs === null ? noWindows : windows, liveBucketMs === null ? 0 : Math.max(2000, liveBucketMs / 2));

  const merged = useMemo(() => {
    if (!answer) return { series: [] as MetricSeries[], newest: 0 };
    if (liveBucketMs === null) return { series: answer.series, newest: 0 };
    let newest = 0;
    const series = answer.series.map((s) => {
      const live = (chartWindows.get(s.key) ?? emptyWindow).points;
      if (live.length === 0) return s;
      newest = Math.max(newest, live[live.length - 1]!.at);
      return { ...s, points: mergeStoredAndLive(s.points, answer.resolutionSeconds * 1000, live, liveBucketMs) };
    });
    return { series, newest };
  }, [answer, chartWindows, liveBucketMs]);

  const to = Math.max(answer?.to ?? 0, merged.newest);
  return {
    params,
    status: query.status,
    error: query.error,
    refetch: () => void query.refetch(),
    from: to - spec.ms,
    to,
    resolutionSeconds: answer?.resolutionSeconds ?? spec.bucketSeconds,
    live: liveBucketMs !== null,
    answer,
    series: merged.series,
    windows,
  };
}
