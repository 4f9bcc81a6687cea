"use client";
// The events timeline, newest first. The live provider invalidates ["events"]
// when an event arrives or is acknowledged, so new rows appear at the top
// without a reload. Everything an event carries is rendered as text.
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Pagination } from "@/components/ui/pagination";
import { Time } from "@/components/ui/time";
import { SeverityBadge } from "@/components/ui/badge";
import { ErrorAlert, describeError, type SubmitError } from "@/components/ui/form-errors";
import { useAcknowledgeEvent, useEvents, type EventListParams } from "@/lib/events/queries";
import type { EventItem, EventPage } from "@/lib/events/schemas";

const subjectPages: Partial<Record<string, string>> = {
  NODE: "/nodes",
  LOAD_BALANCER: "/load-balancers",
  DATABASE: "/databases",
  POOLER: "/poolers",
  CLUSTER: "/clusters",
};

const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

/** The name the worker recorded with the event, if it did (data is free-form JSON). */
function subjectName(e: EventItem): string | null {
  const data = e.data;
  if (data && typeof data === "object" && "name" in data && typeof (data as { name: unknown }).name === "string") return (data as { name: string }).name;
  return null;
}

function Subject({ event }: { event: EventItem }) {
  const base = subjectPages[event.subjectType];
  const name = subjectName(event) ?? event.subjectId;
  return (
    <span className="stack" style={{ gap: 2 }}>
      <span className="muted">{words(event.subjectType)}</span>
      {event.subjectId && name && (base ? <Link href={`${base}/${encodeURIComponent(event.subjectId)}`}>{name}</Link> : <span className="mono">{name}</span>)}
    </span>
  );
}

const maxId = (items: EventItem[]) => items.reduce((m, e) => (BigInt(e.id) > m ? BigInt(e.id) : m), 0n);

export function EventsClient({
  initial,
  params,
  paginationParams,
  canAcknowledge,
  currentUser,
  userLabels,
  filtered,
}: {
  initial: EventPage;
  params: EventListParams;
  paginationParams: Record<string, string | undefined>;
  canAcknowledge: boolean;
  currentUser: { id: string | null; label: string };
  /** Who acknowledged (user id → email), for the rows on this page. */
  userLabels: Record<string, string>;
  filtered: boolean;
}) {
  const { data, isFetching, error } = useEvents(params, initial);
  const page = data ?? initial;
  // What was there when the page opened: anything newer is marked as new.
  const [seenUpTo] = useState(() => maxId(initial.items));
  const [acknowledging, setAcknowledging] = useState<EventItem | null>(null);
  const fresh = page.items.filter((e) => BigInt(e.id) > seenUpTo).length;

  const ackedBy = (id: string | null) => {
    if (!id) return null;
    if (id === currentUser.id) return `you (${currentUser.label})`;
    return userLabels[id] ?? "another user";
  };

  return (
    <div className="stack" style={{ gap: 8 }}>
      <p role="status" className="muted" style={{ margin: 0, minHeight: "1.45em" }}>
        {fresh > 0 ? `${fresh} new event${fresh === 1 ? "" : "s"} since you opened this page.` : ""}
        {error && ` Could not refresh the list (${error.message}); showing what was loaded.`}
      </p>
      <div className="table-wrap" aria-busy={isFetching}>
        <table className="table" data-testid="events-table">
          <caption className="sr-only">Events, newest first; times in UTC</caption>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Severity</th>
              <th scope="col">Subject</th>
              <th scope="col">Event</th>
              <th scope="col">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {page.items.length === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  {filtered ? "No events match these filters." : "No events yet. Health changes reported by the agents appear here as they happen."}
                </td>
              </tr>
            )}
            {page.items.map((e) => {
              const isNew = BigInt(e.id) > seenUpTo;
              return (
                <tr key={e.id} data-testid="event-row" data-event-id={e.id}>
                  <td>
                    <Time value={e.at} />
                    {isNew && (
                      <span className="badge badge-accent" style={{ marginLeft: 6 }}>
                        New
                      </span>
                    )}
                  </td>
                  <td>
                    <SeverityBadge value={e.severity} />
                  </td>
                  <td style={{ whiteSpace: "normal", minWidth: "9em" }}>
                    <Subject event={e} />
                  </td>
                  <td style={{ whiteSpace: "normal", overflowWrap: "anywhere", minWidth: "16em" }}>
                    <span className="stack" style={{ gap: 2 }}>
                      <span>{e.message}</span>
                      <span className="mono muted">{e.kind}</span>
                    </span>
                  </td>
                  <td style={{ whiteSpace: "normal", minWidth: "10em" }}>
                    {e.acknowledgedAt ? (
                      <span className="stack" style={{ gap: 2 }} data-testid="acknowledged">
                        <Time value={e.acknowledgedAt} />
                        {e.acknowledgedById && <span className="muted">by {ackedBy(e.acknowledgedById)}</span>}
                      </span>
                    ) : canAcknowledge ? (
                      <button type="button" className="btn btn-sm" onClick={() => setAcknowledging(e)} aria-label={`Acknowledge: ${e.message}`}>
                        Acknowledge
                      </button>
                    ) : (
                      <span className="muted">Not yet</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/events" params={paginationParams} />
      {canAcknowledge && (
        <Dialog open={acknowledging !== null} onClose={() => setAcknowledging(null)} title="Acknowledge event">
          {acknowledging && <AcknowledgeForm event={acknowledging} onDone={() => setAcknowledging(null)} />}
        </Dialog>
      )}
    </div>
  );
}

function AcknowledgeForm({ event, onDone }: { event: EventItem; onDone: () => void }) {
  const acknowledge = useAcknowledgeEvent();
  const router = useRouter();
  const [alert, setAlert] = useState<SubmitError | null>(null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get("note") ?? "").trim();
    setAlert(null);
    acknowledge.mutate(
      { id: event.id, note: note || undefined },
      {
        onSuccess: () => {
          router.refresh();
          onDone();
        },
        onError: (error) => {
          setAlert(describeError(error, ["note"]).alert);
          // Someone else may have been quicker (409): show the row as it is now.
          router.refresh();
        },
      },
    );
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <p style={{ margin: 0 }}>
        <SeverityBadge value={event.severity} /> <Time value={event.at} />
      </p>
      <p style={{ margin: 0, overflowWrap: "anywhere" }}>{event.message}</p>
      <ErrorAlert error={alert} />
      <div className="field">
        <label htmlFor="ack-note">Note (optional)</label>
        <textarea id="ack-note" name="note" className="input" rows={3} maxLength={500} placeholder="What you are doing about it" />
        <span className="hint">Kept in the audit trail with your name.</span>
      </div>
      <DialogActions onCancel={onDone} label="Acknowledge" pendingLabel="Acknowledging…" pending={acknowledge.isPending} />
    </form>
  );
}
