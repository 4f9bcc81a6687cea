"use client";
// "Promote" on a replica's page: the dialog asks every member live first and
// shows, for each, recovery, timeline, LSNs and lag; for this replica what
// would block it and the estimated data loss; the cluster's poolers and
// whether they hold their clients through the switch (a warning, never a
// block). A blocked promotion needs force and the acknowledgement typed
// exactly (it names the loss).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { DataTable, rowHeader } from "@/components/ui/table";
import { StatusBadge } from "@/components/ui/badge";
import { useDialog } from "@/components/inventory/dialogs";
import { ApiClientError } from "@/lib/http/client";
import { usePromote, usePromotionCheck } from "@/lib/operations/queries";

export function PromoteButton({ id, name, clusterId }: { id: string; name: string; clusterId: string }) {
  const dialog = useDialog();
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={(e) => dialog.show(true, e.currentTarget)}>
        Promote
      </button>
      {dialog.open && <PromoteDialog id={id} name={name} clusterId={clusterId} onClose={dialog.hide} />}
    </>
  );
}

function PromoteDialog({ id, name, clusterId, onClose }: { id: string; name: string; clusterId: string; onClose: () => void }) {
  const router = useRouter();
  const check = usePromotionCheck(clusterId);
  const promote = usePromote(clusterId);
  const [reason, setReason] = useState("");
  const [force, setForce] = useState(false);
  const [ack, setAck] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const me = check.data?.members.find((m) => m.id === id);
  const blocked = !me || (me.blockers.length > 0 && (!force || ack !== me.acknowledgement));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!check.data || !me) return;
    setPending(true);
    setError(null);
    try {
      const op = await promote.mutateAsync({
        candidateId: id,
        expectedPrimaryId: check.data.primaryId,
        generation: check.data.cluster.generation,
        reason,
        force,
        ...(force ? { acknowledgement: ack } : {}),
      });
      router.push(`/operations/${op.id}`);
    } catch (err) {
      setPending(false);
      setError(err instanceof ApiClientError ? (err.problem.detail ?? err.problem.title) : "The console could not be reached. Nothing was started.");
    }
  }

  return (
    <Dialog open title={`Promote ${name} to primary?`} onClose={onClose}>
      <form className="stack" onSubmit={submit} style={{ minWidth: "min(85vw, 880px)" }}>
        <p style={{ margin: 0 }}>
          The current primary is fenced first (it can never take a write again), then {name} is promoted, the other replicas follow it, and every app node and
          pooler is pointed at it.
        </p>
        {check.isPending && <p className="muted">Asking every member&apos;s agent…</p>}
        {check.isError && (
          <div className="alert alert-error" role="alert">
            Could not check the members; nothing can be promoted without that check.
          </div>
        )}
        {check.data && (
          <DataTable label="Database members" columns={["Member", "Role", "Reachable", "Timeline", "Received", "Replayed", "Lag", "Estimated loss", "Sync"]}>
            {check.data.members.map((m) => (
              <tr key={m.id} data-testid={`member-${m.name}`}>
                <th scope="row" style={rowHeader}>
                  {m.name}
                </th>
                <td>
                  <StatusBadge value={m.role} />
                </td>
                <td>{m.reachable ? "yes" : <strong>no</strong>}</td>
                <td>{m.timeline ?? "—"}</td>
                <td className="mono">{m.receivedLsn ?? m.currentLsn ?? "—"}</td>
                <td className="mono">{m.replayedLsn ?? "—"}</td>
                <td>
                  {m.lagBytes === null ? "—" : `${m.lagBytes} B`}
                  {m.replayPaused ? " (paused)" : ""}
                </td>
                <td>{m.role === "REPLICA" ? (m.estimatedLossBytes === null ? "unknown" : `${m.estimatedLossBytes} B`) : ""}</td>
                <td data-testid={`sync-${m.name}`}>{m.role === "REPLICA" ? syncLabel(m) : ""}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {check.data && check.data.poolers.length > 0 && (
          <DataTable label="Poolers" columns={["Pooler", "Health", "Pool mode", "Clients held"]}>
            {check.data.poolers.map((p) => (
              <tr key={p.id} data-testid={`pooler-${p.name}`}>
                <th scope="row" style={rowHeader}>
                  {p.name}
                </th>
                <td>
                  <StatusBadge value={p.health} />
                </td>
                <td>{p.poolMode ?? "—"}</td>
                <td>{p.canPause ? "paused through the switch, then pointed at the new primary" : <strong>no: {p.warning}</strong>}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {me && me.blockers.length === 0 && (
          <div className="alert alert-ok">
            {name} is caught up and may be promoted.{me.syncStandby && " It is the synchronous standby: it has every acknowledged write."}
          </div>
        )}
        {me && me.blockers.length > 0 && (
          <div className="alert alert-error" data-testid="promote-blockers">
            <strong>Not safe:</strong> {me.blockers.join("; ")}.
          </div>
        )}
        <Field label="Reason" hint="Goes to the audit trail and the events">
          {(p) => <input {...p} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        {me && me.blockers.length > 0 && (
          <>
            <label className="row">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Promote anyway (force)
            </label>
            {force && (
              <Field label={`Type: ${me.acknowledgement}`} hint="The estimated loss is what the primary had that this replica had not replayed">
                {(p) => <input {...p} className="mono" value={ack} onChange={(e) => setAck(e.target.value)} autoComplete="off" />}
              </Field>
            )}
          </>
        )}
        {error && (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <DialogActions
          onCancel={onClose}
          label={force ? "Promote anyway" : "Promote"}
          pendingLabel="Starting…"
          pending={pending}
          disabled={blocked || !check.data}
          tone="danger"
          focusCancel
          lockCancel
        />
      </form>
    </Dialog>
  );
}

/** What a replica's place in synchronous replication means for a promotion. */
function syncLabel(m: { syncState: string | null; syncStandby: boolean }): string {
  if (m.syncStandby)
    return m.syncState === "sync"
      ? "synchronous standby: has every acknowledged write"
      : "synchronous standby when the primary was last seen: has every acknowledged write";
  if (m.syncState === "quorum") return "quorum standby: not every acknowledged write is guaranteed on it alone";
  if (m.syncState === "potential") return "potential: stands in if the synchronous standby goes";
  return m.syncState ?? "—";
}
