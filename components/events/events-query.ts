// Reads /events' filters from the URL with the API's own schema; a filter
// that does not validate is dropped and named, the rest still apply.
import { eventList, type EventListQuery } from "@/lib/events/schemas";
import { parseSearchParams, type SearchParamIssue, type SearchParams } from "@/lib/common/search-params";
import type { EventListParams } from "@/lib/events/queries";

export type EventFilters = {
  query: EventListQuery;
  /** The same, as the API's query string takes it (for the client's refetch). */
  params: EventListParams;
  /** Valid filter values, for the form and the pagination links. */
  form: Partial<Record<string, string>>;
  issues: SearchParamIssue[];
};

export function readEventFilters(raw: SearchParams): EventFilters {
  const { query, valid, issues } = parseSearchParams(eventList, raw);
  const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== "")) as EventListParams;
  const form: Partial<Record<string, string>> = {};
  for (const [k, v] of Object.entries(valid)) if (v !== undefined && k !== "page") form[k] = v;
  return { query, params, form, issues };
}
