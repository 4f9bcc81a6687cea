// Events on the client: keys, the list hook and the acknowledge mutation.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type { EventListQuery, EventPage } from "@/lib/events/schemas";

/** The list's filters as the API's query string takes them (what the URL gave, validated). */
export type EventListParams = Partial<EventListQuery>;

/** The live provider invalidates eventKeys.all on every event and acknowledgement. */
export const eventKeys = {
  all: ["events"] as const,
  list: (params: EventListParams) => ["events", "list", params] as const,
  criticalOpen: ["events", "critical-open"] as const,
};

export function useEvents(params: EventListParams, initialData: EventPage) {
  return useQuery({
    queryKey: eventKeys.list(params),
    queryFn: ({ signal }) => callApi(api.events.list, { query: params, signal }),
    initialData,
    placeholderData: keepPreviousData,
  });
}

export function useAcknowledgeEvent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, note }: { id: string; note?: string }) => callApi(api.events.acknowledge, { params: { id }, body: note ? { note } : {} }),
    onSuccess: (updated) => {
      // Show it at once in every cached page that holds the row, then refetch.
      client.setQueriesData<EventPage>({ queryKey: eventKeys.all }, (page) =>
        page ? { ...page, items: page.items.map((e) => (e.id === updated.id ? updated : e)) } : page,
      );
      void client.invalidateQueries({ queryKey: eventKeys.all });
    },
  });
}

/** Acknowledges the selected events in one request (POST /api/v1/events/acknowledge). */
export function useAcknowledgeEvents() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, note }: { ids: string[]; note?: string }) => callApi(api.events.acknowledgeMany, { body: note ? { ids, note } : { ids } }),
    onSettled: () => void client.invalidateQueries({ queryKey: eventKeys.all }),
  });
}

/**
 * How many CRITICAL events nobody has acknowledged (the navigation's badge and
 * the tab title). Under eventKeys.all: the live provider refetches it on every
 * event and acknowledgement, so it needs no polling. null until known.
 */
export function useOpenCriticalCount(enabled: boolean): number | null {
  const { data } = useQuery({
    queryKey: eventKeys.criticalOpen,
    queryFn: ({ signal }) => callApi(api.events.list, { query: { severity: "CRITICAL", acknowledged: "false", pageSize: 1 }, signal }),
    enabled,
    select: (page) => page.total,
  });
  return data ?? null;
}
