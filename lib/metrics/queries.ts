// Metrics on the client: query keys and the hook that reads stored series.
// Live points do not come from here: the live provider (components/realtime)
// writes them into the cache under liveKey(subject key).
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type { MetricRange, MetricSubjectType } from "@/lib/metrics/schemas";

export type MetricsParams = { subjectType: MetricSubjectType; subjectId?: string; clusterId?: string; range: MetricRange };

export const metricsKeys = {
  all: ["metrics"] as const,
  query: (p: MetricsParams) => ["metrics", p.subjectType, p.subjectId ?? null, p.clusterId ?? null, p.range] as const,
};

/** Where the live provider keeps a subject's window of live points ("NODE:<id>"). */
export const liveKey = (key: string) => ["live", key] as const;

/** Stored samples refetch every 30 s: the live stream carries the seconds in between. */
export const STORED_REFETCH_MS = 30_000;

export function useStoredMetrics(params: MetricsParams) {
  return useQuery({
    queryKey: metricsKeys.query(params),
    queryFn: ({ signal }) => callApi(api.metrics, { query: params, signal }),
    refetchInterval: STORED_REFETCH_MS,
    refetchIntervalInBackground: false,
    staleTime: 10_000,
  });
}
