// Needs attention on the client: its query keys and the hook the dashboard,
// a cluster's page and the navigation's operations count share.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type { AttentionWire } from "@/lib/attention/schemas";

export const attentionKeys = {
  /** Of every cluster or one: the live stream invalidates it on every event and change notice. */
  all: ["attention"] as const,
  of: (clusterId: string | undefined) => ["attention", clusterId ?? "all"] as const,
};

/**
 * What needs attention. Refetched when the stream says something changed (an
 * event, an operation, a subject); the slow poll is for the one item no
 * message announces, N+1 capacity, which follows sessions moving.
 */
export function useAttention(clusterId: string | undefined, initial?: AttentionWire) {
  return useQuery({
    queryKey: attentionKeys.of(clusterId),
    queryFn: ({ signal }) => callApi(api.attention, { query: clusterId ? { clusterId } : {}, signal }),
    initialData: initial,
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
}
