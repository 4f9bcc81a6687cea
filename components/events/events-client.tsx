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
import { FoldedText } from "@/components/ui/folded-text";
import { useAcknowledgeEvent, useAcknowledgeEvents, useEvents, type EventListParams } from "@/lib/events/queries";
import type { EventItem, EventPage } from "@/lib/events/schemas";

const subjectPages: Partial<Record<string, string>> = {
  NODE: "/nodes",
  LOAD_BALANCER: "/load-balancers",
  DATABASE: "/databases",
  POOLER: "/poolers",
  CLUSTER: "/clusters",
};

const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

function Subject({ event }: { event: EventItem }) {
  const base = subjectPages[event.subjectType];
  // The service names it (current name, else the one recorded); an id is no name for people.
  const name = event.subjectName;
  return (
    <span className="stack" style={{ gap: 2 }}>
      <span className="muted">{words(event.subjectType)}</span>
      {event.subjectId &&
        (name ? (
          base ? (
            <Link href={`${base}/${encodeURIComponent(event.subjectId)}`}>{name}</Link>
          ) : (
            <span>{name}</span>
          )
        ) : (
          <span className="muted">(removed)</span>
        ))}
    </span>
  );
}

const firstLine = (text: string) => text.split("\n", 1)[0]!;

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
  // Bulk: ids picked among the rows shown; rows acknowledged meanwhile drop out.
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [bulkOpen, setBulkOpen] = useState(false);
  const open = page.items.filter((e) => !e.acknowledgedAt).map((e) => e.id);
  const selected = open.filter((id) => picked.has(id));
  const allShown = open.length > 0 && selected.length === open.length;
  const toggle = (id: string) =>
    setPicked((now) => {
      const next = new Set(now);
      if (!next.delete(id)) next.add(id);
      return next;
    });
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
      {canAcknowledge && (
        <div className="row" style={{ gap: 8 }}>
          <button type="button" className="btn btn-sm" disabled={selected.length === 0} onClick={() => setBulkOpen(true)} data-testid="acknowledge-selected">
            Acknowledge selected{selected.length ? ` (${selected.length})` : ""}
          </button>
          {selected.length > 0 && (
            <button type="button" className="btn btn-sm" onClick={() => setPicked(new Set())}>
              Clear selection
            </button>
          )}
        </div>
      )}
      <div className="table-wrap" aria-busy={isFetching}>
        <table className="table" data-testid="events-table">
          <caption className="sr-only">Events, newest first; times in UTC</caption>
          <thead>
            <tr>
              {canAcknowledge && (
                <th scope="col" style={{ width: "2.5em" }}>
                  <input
                    type="checkbox"
                    aria-label="Select all shown unacknowledged events"
                    checked={allShown}
                    disabled={open.length === 0}
                    onChange={() => setPicked(allShown ? new Set() : new Set(open))}
                    data-testid="select-all"
                  />
                </th>
              )}
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
                <td colSpan={canAcknowledge ? 6 : 5} className="empty">
                  {filtered ? "No events match these filters." : "No events yet. Health changes reported by the agents appear here as they happen."}
                </td>
              </tr>
            )}
            {page.items.map((e) => {
              const isNew = BigInt(e.id) > seenUpTo;
              return (
                <tr key={e.id} data-testid="event-row" data-event-id={e.id}>
                  {canAcknowledge && (
                    <td>
                      {!e.acknowledgedAt && (
                        <input
                          type="checkbox"
                          aria-label={`Select: ${firstLine(e.message)}`}
                          checked={picked.has(e.id)}
                          onChange={() => toggle(e.id)}
                          data-testid="select-event"
                        />
                      )}
                    </td>
                  )}
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
                      <FoldedText text={e.message} />
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
                      <button type="button" className="btn btn-sm" onClick={() => setAcknowledging(e)} aria-label={`Acknowledge: ${firstLine(e.message)}`}>
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
        <Dialog open={bulkOpen} onClose={() => setBulkOpen(false)} title="Acknowledge events">
          {bulkOpen && (
            <BulkAcknowledgeForm
              ids={selected}
              onDone={() => {
                setBulkOpen(false);
                setPicked(new Set());
              }}
            />
          )}
        </Dialog>
      )}
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
      <p style={{ margin: 0, overflowWrap: "anywhere" }}>
        <FoldedText text={event.message} />
      </p>
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

function BulkAcknowledgeForm({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const acknowledge = useAcknowledgeEvents();
  const router = useRouter();
  const [alert, setAlert] = useState<SubmitError | null>(null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get("note") ?? "").trim();
    setAlert(null);
    acknowledge.mutate(
      { ids, note: note || undefined },
      {
        onSuccess: () => {
          router.refresh();
          onDone();
        },
        onError: (error) => {
          // An event that is gone (404 lists it) or a refusal: nothing was acknowledged.
          setAlert(describeError(error, ["note"]).alert);
          router.refresh();
        },
      },
    );
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <p style={{ margin: 0 }}>
        {ids.length} event{ids.length === 1 ? "" : "s"} selected. Any already acknowledged by someone else keep their first acknowledgement.
      </p>
      <ErrorAlert error={alert} />
      <div className="field">
        <label htmlFor="bulk-ack-note">Note (optional)</label>
        <textarea id="bulk-ack-note" name="note" className="input" rows={3} maxLength={500} placeholder="What you are doing about them" />
        <span className="hint">Kept in the audit trail with your name, once for all of them.</span>
      </div>
      <DialogActions onCancel={onDone} label={`Acknowledge ${ids.length}`} pendingLabel="Acknowledging…" pending={acknowledge.isPending} />
    </form>
  );
}
