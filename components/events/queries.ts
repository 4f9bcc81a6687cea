// Events on the client: keys, the list hook and the acknowledge mutation.
// (They would sit better in lib/events/queries.ts, beside the schemas.)
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, qs } from "@/lib/http/client";
import type { Page } from "@/lib/common/schemas";
import type { EventListQuery } from "@/lib/events/schemas";
import type { EventView } from "@/lib/events/service";
import type { Jsonify } from "@/lib/inventory/queries";

export type EventItem = Jsonify<EventView>;
export type EventListParams = Partial<Record<keyof EventListQuery, string | number>>;

/** The live provider invalidates ["events"] on every event and acknowledgement. */
export const eventKeys = {
  all: ["events"] as const,
  list: (params: EventListParams) => ["events", "list", params] as const,
};

export function useEvents(params: EventListParams, initialData: Page<EventItem>) {
  return useQuery({
    queryKey: eventKeys.list(params),
    queryFn: ({ signal }) => apiFetch<Page<EventItem>>(`/api/v1/events${qs(params)}`, { signal }),
    initialData,
    placeholderData: keepPreviousData,
  });
}

export function useAcknowledgeEvent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, note }: { id: string; note?: string }) =>
      apiFetch<EventItem>(`/api/v1/events/${encodeURIComponent(id)}/acknowledge`, { method: "POST", body: note ? { note } : {} }),
    onSuccess: (updated) => {
      // Show it at once in every cached page that holds the row, then refetch.
      client.setQueriesData<Page<EventItem>>({ queryKey: eventKeys.all }, (page) =>
        page ? { ...page, items: page.items.map((e) => (e.id === updated.id ? updated : e)) } : page,
      );
      void client.invalidateQueries({ queryKey: eventKeys.all });
    },
  });
}
