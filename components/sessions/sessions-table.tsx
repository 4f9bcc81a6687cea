"use client";
import { useState } from "react";
import { useEndSession } from "@/lib/sessions/queries";
import type { SessionItem } from "@/lib/sessions/schemas";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { DataTable, actionsColumn, wrapCell } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";

const wrapWords = wrapCell("7em");

function who(s: SessionItem) {
  return s.kind === "DISPLAY" ? `wall display "${s.label ?? ""}"` : s.user.email;
}

/** A browser as people name it, from its user agent (the whole string on hover). */
function browserName(ua: string | null): string {
  if (!ua) return "—";
  const match = /(Edg|Firefox|Chrome|Chromium|Safari)\/[\d.]+/.exec(ua);
  const os = /Windows|Mac OS X|Linux|Android|iPhone|iPad/.exec(ua)?.[0];
  return [match?.[0].replace("Edg", "Edge"), os].filter(Boolean).join(" · ") || ua.slice(0, 40);
}

export function SessionsTable({ sessions, currentSessionId }: { sessions: SessionItem[]; currentSessionId: string | null }) {
  const [ending, setEnding] = useState<SessionItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <div className="stack">
      <Notice message={notice} />
      <DataTable
        label="Open sessions"
        columns={["Who", "Kind", "Address", "Browser", "Started", "Last activity", "Ends at the latest", actionsColumn]}
        empty={sessions.length === 0 && "No open sessions."}
      >
        {sessions.map((s) => {
          const waiting = s.kind === "DISPLAY" && s.claimExpiresAt !== null;
          return (
            <tr key={s.id} data-testid="session-row">
              <td style={wrapWords}>
                {who(s)}
                {s.id === currentSessionId && (
                  <>
                    {" "}
                    <Badge>this session</Badge>
                  </>
                )}
              </td>
              <td>
                {s.kind === "DISPLAY" ? <Badge>{waiting ? "Display (link not opened yet)" : "Display, read-only"}</Badge> : <StatusBadge value={s.user.role} />}
              </td>
              <td className="mono">{s.clientIp ?? "—"}</td>
              <td title={s.userAgent ?? undefined}>{browserName(s.userAgent)}</td>
              <td style={wrapWords}>
                <Time value={s.createdAt} />
              </td>
              <td style={wrapWords}>{s.kind === "DISPLAY" ? <span className="muted">no idle timeout</span> : <Time value={s.lastActivityAt} />}</td>
              <td style={wrapWords}>
                <Time value={s.expiresAt} />
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-sm btn-danger"
                  aria-label={`End the session of ${who(s)}`}
                  onClick={() => {
                    setNotice(null);
                    setEnding(s);
                  }}
                >
                  End
                </button>
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Dialog open={ending !== null} onClose={() => setEnding(null)} title="End session">
        {ending && (
          <EndConfirm
            key={ending.id}
            session={ending}
            own={ending.id === currentSessionId}
            onCancel={() => setEnding(null)}
            onDone={(message) => {
              setNotice(message);
              setEnding(null);
            }}
          />
        )}
      </Dialog>
    </div>
  );
}

function EndConfirm({ session, own, onCancel, onDone }: { session: SessionItem; own: boolean; onCancel: () => void; onDone: (message: string) => void }) {
  const end = useEndSession();
  const messages = useSubmitErrors();
  return (
    <div className="stack">
      <p>
        End the session of <strong>{who(session)}</strong>
        {session.clientIp ? ` (from ${session.clientIp})` : ""}? It is refused from its next request
        {session.kind === "DISPLAY" ? "; the display needs a new link to come back." : ", and its user has to sign in again."}
        {own ? " This is your own session: you will be signed out." : ""}
      </p>
      <ErrorAlert error={messages.alert} />
      <DialogActions
        onCancel={onCancel}
        focusCancel
        tone="danger"
        label="End session"
        pendingLabel="Ending…"
        pending={end.isPending}
        onConfirm={() => {
          messages.clear();
          end.mutate(session.id, {
            onSuccess: () => onDone(`The session of ${who(session)} has ended.`),
            onError: (error) => messages.failed(error),
          });
        }}
      />
    </div>
  );
}
