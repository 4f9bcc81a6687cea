"use client";
// Per target: compare what it should run with what its agent says it runs,
// and (admins) reconcile: deploy its revision again, to it alone.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { ReadButton, useDialog } from "@/components/inventory/dialogs";
import { ApiClientError, apiFetch } from "@/lib/api/client";
import type { ConfigDiff } from "@/lib/config/diff";
import { Checksum, DiffView } from "./code-view";

type PathType = "nodes" | "load-balancers" | "databases";
type Running = {
  desired: { number: number; checksum: string; applied: boolean } | null;
  running: { checksum: string | null; error: string | null };
  inSync: boolean;
  diff: ConfigDiff | null;
};

const errorText = (e: unknown) => (e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");

export function CompareButton({ type, id, name }: { type: PathType; id: string; name: string }) {
  return (
    <ReadButton label="Compare" title={`${name}: deployed against running`}>
      <CompareBody type={type} id={id} />
    </ReadButton>
  );
}

function CompareBody({ type, id }: { type: PathType; id: string }) {
  const q = useQuery({ queryKey: ["config", "running", type, id], queryFn: () => apiFetch<Running>(`/api/v1/config/targets/${type}/${id}/running`) });
  if (q.isPending) return <p className="muted">Asking the agent…</p>;
  if (q.isError) return <div className="alert alert-error" role="alert">{errorText(q.error)}</div>;
  const r = q.data;
  return (
    <div className="stack" style={{ minWidth: "min(80vw, 900px)" }}>
      <p style={{ margin: 0 }}>
        Should run: {r.desired ? <>revision {r.desired.number} (<Checksum value={r.desired.checksum} />){r.desired.applied ? "" : ", the latest; never deployed here"}</> : "nothing yet"}. Runs:{" "}
        {r.running.error ? <span className="muted">unknown ({r.running.error})</span> : <Checksum value={r.running.checksum} />}. {r.inSync ? "In sync." : ""}
      </p>
      {r.diff && <DiffView diff={r.diff} label="Deployed (−) against running (+)" />}
    </div>
  );
}

export function ReconcileButton({ type, id, name }: { type: PathType; id: string; name: string }) {
  const router = useRouter();
  const dialog = useDialog();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setPending(true);
    setError(null);
    try {
      const op = await apiFetch<{ id: string }>(`/api/v1/config/targets/${type}/${id}/reconcile`, { method: "POST", body: { reason: `Reconcile ${name}` } });
      router.push(`/operations/${op.id}`);
    } catch (err) {
      setPending(false);
      setError(errorText(err));
    }
  }
  return (
    <>
      <button type="button" className="btn" onClick={(e) => dialog.show(true, e.currentTarget)}>
        Reconcile
      </button>
      {dialog.open && (
        <Dialog open title={`Reconcile ${name}?`} onClose={dialog.hide}>
          <div className="stack">
            <p style={{ margin: 0 }}>Deploys to {name} alone the revision it should run, replacing whatever was changed there by hand.</p>
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
          </div>
          <DialogActions onCancel={dialog.hide} onConfirm={confirm} label="Reconcile" pendingLabel="Starting…" pending={pending} focusCancel lockCancel />
        </Dialog>
      )}
    </>
  );
}
