import { requirePage } from "@/lib/sign-in/session";
import { can } from "@/lib/auth/permissions";
import { listEvents } from "@/lib/events/service";
import { listAllUsers } from "@/lib/users/service";
import { toJson } from "@/lib/http/json";
import { PageHeader } from "@/components/ui/page-header";
import { InvalidFilters } from "@/components/ui/filters";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { EventFilters } from "@/components/events/event-filters";
import { EventsClient } from "@/components/events/events-client";
import { readEventFilters } from "@/components/events/events-query";
import type { EventPage } from "@/lib/events/schemas";
import type { SearchParams } from "@/lib/common/search-params";

export const metadata = { title: "Events" };
export const dynamic = "force-dynamic";

export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePage("events:read");
  const { query, params, form, issues } = readEventFilters(await searchParams);
  const page = await listEvents(query);
  // Who acknowledged what, by email: only for the rows shown.
  const ackers = new Set(page.items.map((e) => e.acknowledgedById).filter((id): id is string => Boolean(id)));
  const userLabels: Record<string, string> = {};
  if (ackers.size > 0) for (const u of await listAllUsers()) if (ackers.has(u.id)) userLabels[u.id] = u.email;
  // The client island gets the JSON the API would send (string ids and times), so refetches look the same.
  const initial = JSON.parse(toJson(page)) as EventPage;
  const filtered = Object.keys(form).some((k) => k !== "pageSize");

  return (
    <>
      <PageHeader title="Events" description="Health changes and other platform events, newest first. Times in UTC." actions={<LiveIndicator />} />
      <InvalidFilters issues={issues} />
      <EventFilters form={form} />
      <EventsClient
        initial={initial}
        params={params}
        paginationParams={form}
        canAcknowledge={can(actor.role, "events:acknowledge")}
        currentUser={{ id: actor.userId, label: actor.label }}
        userLabels={userLabels}
        filtered={filtered}
      />
    </>
  );
}
