"use client";
import { useState } from "react";
import { useRevokeToken } from "@/lib/tokens/queries";
import type { TokenView } from "@/lib/tokens/service";
import { Dialog } from "@/components/ui/dialog";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { ErrorAlert, describeError, type SubmitError } from "@/components/users/form-errors";

// Lets timestamps break at spaces, so the table fits a laptop screen.
const wrapWords = { whiteSpace: "normal", overflowWrap: "anywhere", minWidth: "7em" } as const;

/** `now` comes from the server render, so "expired" reads the same on server and client. */
export function TokensTable({ tokens, now }: { tokens: TokenView[]; now: number }) {
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <div className="stack">
      <div role="status">{notice && <div className="alert alert-ok">{notice}</div>}</div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Role</th>
              <th scope="col">Owner</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No API tokens match these filters.
                </td>
              </tr>
            )}
            {tokens.map((t) => {
              const expired = t.expiresAt !== null && new Date(t.expiresAt).getTime() <= now;
              return (
                <tr key={t.id} data-testid="token-row">
                  <td>{t.name}</td>
                  <td className="mono">{t.prefix}…</td>
                  <td>
                    <StatusBadge value={t.role} />
                  </td>
                  <td style={wrapWords}>{t.owner.email}</td>
                  <td style={wrapWords}>
                    <span className="row">
                      <Time value={t.expiresAt} />
                      {expired && !t.revokedAt && <StatusBadge value="EXPIRED" />}
                    </span>
                  </td>
                  <td style={wrapWords}>
                    <Time value={t.lastUsedAt} />
                  </td>
                  <td style={wrapWords}>
                    <Time value={t.createdAt} />
                  </td>
                  <td style={wrapWords}>
                    {/* The action sits where its result will show, which keeps the table within a laptop screen. */}
                    {t.revokedAt ? (
                      <Time value={t.revokedAt} />
                    ) : (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger"
                        aria-label={`Revoke ${t.name}`}
                        onClick={() => {
                          setNotice(null);
                          setRevoking(t);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Dialog open={revoking !== null} onClose={() => setRevoking(null)} title="Revoke token">
        {revoking && (
          <RevokeConfirm
            key={revoking.id}
            token={revoking}
            onCancel={() => setRevoking(null)}
            onDone={(message) => {
              setNotice(message);
              setRevoking(null);
            }}
          />
        )}
      </Dialog>
    </div>
  );
}

function RevokeConfirm({ token, onCancel, onDone }: { token: TokenView; onCancel: () => void; onDone: (message: string) => void }) {
  const revoke = useRevokeToken();
  const [alert, setAlert] = useState<SubmitError | null>(null);
  return (
    <div className="stack">
      <p>
        Revoke <strong>{token.name}</strong> (<span className="mono">{token.prefix}…</span>, owned by {token.owner.email})? Anything using it is refused
        from its next request. This cannot be undone.
      </p>
      <ErrorAlert error={alert} />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={revoke.isPending}
          onClick={() => {
            setAlert(null);
            revoke.mutate(token.id, {
              onSuccess: () => onDone(`Token ${token.name} is revoked.`),
              onError: (error) => setAlert(describeError(error).alert),
            });
          }}
        >
          {revoke.isPending ? "Revoking…" : "Revoke token"}
        </button>
      </div>
    </div>
  );
}
