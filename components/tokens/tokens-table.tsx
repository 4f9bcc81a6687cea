"use client";
import { useState } from "react";
import { useRevokeToken } from "@/lib/tokens/queries";
import type { TokenItem } from "@/lib/tokens/schemas";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { StatusBadge } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { DataTable, wrapCell } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";

// Lets timestamps break at spaces, so the table fits a laptop screen.
const wrapWords = wrapCell("7em");

/** `now` comes from the server render, so "expired" reads the same on server and client. */
export function TokensTable({ tokens, now }: { tokens: TokenItem[]; now: number }) {
  const [revoking, setRevoking] = useState<TokenItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <div className="stack">
      <Notice message={notice} />
      <DataTable
        columns={["Name", "Prefix", "Role", "Owner", "Expires", "Last used", "Created", "Revoked"]}
        empty={tokens.length === 0 && "No API tokens match these filters."}
      >
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
      </DataTable>
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

function RevokeConfirm({ token, onCancel, onDone }: { token: TokenItem; onCancel: () => void; onDone: (message: string) => void }) {
  const revoke = useRevokeToken();
  const messages = useSubmitErrors();
  return (
    <div className="stack">
      <p>
        Revoke <strong>{token.name}</strong> (<span className="mono">{token.prefix}…</span>, owned by {token.owner.email})? Anything using it is refused from
        its next request. This cannot be undone.
      </p>
      <ErrorAlert error={messages.alert} />
      <DialogActions
        onCancel={onCancel}
        focusCancel
        tone="danger"
        label="Revoke token"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        onConfirm={() => {
          messages.clear();
          revoke.mutate(token.id, {
            onSuccess: () => onDone(`Token ${token.name} is revoked.`),
            onError: (error) => messages.failed(error),
          });
        }}
      />
    </div>
  );
}
