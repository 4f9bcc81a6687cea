"use client";
// Per target: compare what it should run with what its agent says it runs,
// and (admins) reconcile: deploy its revision again, to it alone.
import { ConfirmButton, ReadButton } from "@/components/inventory/dialogs";
import { ApiClientError } from "@/lib/http/client";
import { useReconcile, useRunningConfig, type TargetPathType as PathType } from "@/lib/config/queries";
import { Checksum, DiffView } from "./code-view";

const errorText = (e: unknown) => (e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");

export function CompareButton({ type, id, name }: { type: PathType; id: string; name: string }) {
  return (
    <ReadButton label="Compare" title={`${name}: deployed against running`}>
      <CompareBody type={type} id={id} />
    </ReadButton>
  );
}

function CompareBody({ type, id }: { type: PathType; id: string }) {
  const q = useRunningConfig(type, id);
  if (q.isPending) return <p className="muted">Asking the agent…</p>;
  if (q.isError)
    return (
      <div className="alert alert-error" role="alert">
        {errorText(q.error)}
      </div>
    );
  const r = q.data;
  return (
    <div className="stack" style={{ minWidth: "min(80vw, 900px)" }}>
      <p style={{ margin: 0 }}>
        Should run:{" "}
        {r.desired ? (
          <>
            revision {r.desired.number} (<Checksum value={r.desired.checksum} />){r.desired.applied ? "" : ", the latest; never deployed here"}
          </>
        ) : (
          "nothing yet"
        )}
        . Runs: {r.running.error ? <span className="muted">unknown ({r.running.error})</span> : <Checksum value={r.running.checksum} />}.{" "}
        {r.inSync ? "In sync." : ""}
      </p>
      {r.diff && <DiffView diff={r.diff} label="Deployed (−) against running (+)" />}
    </div>
  );
}

export function ReconcileButton({ type, id, name }: { type: PathType; id: string; name: string }) {
  const reconcile = useReconcile(type, id);
  return (
    <ConfirmButton
      label="Reconcile"
      title={`Reconcile ${name}?`}
      confirmLabel="Reconcile"
      pendingLabel="Starting…"
      run={async () => `/operations/${(await reconcile.mutateAsync(`Reconcile ${name}`)).id}`}
    >
      <p style={{ margin: 0 }}>Deploys to {name} alone the revision it should run, replacing whatever was changed there by hand.</p>
    </ConfirmButton>
  );
}
