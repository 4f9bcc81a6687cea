"use client";
// What can be done with one revision: read its diff (everyone), deploy it or
// roll back to it (admins). Deploying opens the operation's live progress.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { ConfirmButton, ReadButton, useDialog } from "@/components/inventory/dialogs";
import { ApiClientError } from "@/lib/http/client";
import { useDeployRevision, useRevisionDiff, useRollback } from "@/lib/config/queries";
import { DiffView } from "./code-view";

type Revision = { id: string; number: number };

const errorText = (e: unknown) => (e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");

/** Diff of a revision against the one before it, or any other revision of the same configuration. */
export function DiffButton({ revision, others }: { revision: Revision; others: Revision[] }) {
  return (
    <ReadButton label="Diff" title={`Revision ${revision.number}: what changed`}>
      <DiffBody revision={revision} others={others.filter((o) => o.id !== revision.id)} />
    </ReadButton>
  );
}

function DiffBody({ revision, others }: { revision: Revision; others: Revision[] }) {
  const [against, setAgainst] = useState("");
  const q = useRevisionDiff(revision.id, against);
  return (
    <div className="stack" style={{ minWidth: "min(80vw, 900px)" }}>
      {others.length > 0 && (
        <Field label="Compare with">
          {(p) => (
            <select {...p} value={against} onChange={(e) => setAgainst(e.target.value)}>
              <option value="">the revision before it</option>
              {others.map((o) => (
                <option key={o.id} value={o.id}>
                  revision {o.number}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {q.isPending ? (
        <p className="muted">Loading…</p>
      ) : q.isError ? (
        <div className="alert alert-error" role="alert">
          {errorText(q.error)}
        </div>
      ) : (
        <>
          <p className="muted" style={{ margin: 0 }}>
            {q.data.from ? `Revision ${q.data.from.number} (−) against revision ${revision.number} (+).` : "The first revision: everything is new."}
          </p>
          <DiffView diff={q.data.diff} label={`Diff of revision ${revision.number}`} />
        </>
      )}
    </div>
  );
}

export function DeployButton({
  revision,
  scopeName,
  targets,
}: {
  revision: Revision;
  scopeName: string;
  targets: { id: string; name: string; enrolled: boolean }[];
}) {
  const router = useRouter();
  const dialog = useDialog();
  const deploy = useDeployRevision(revision.id);
  const enrolled = targets.filter((t) => t.enrolled);
  const [batchSize, setBatchSize] = useState(String(Math.max(1, Math.ceil(enrolled.length / 3))));
  const [pause, setPause] = useState("0");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setFields({});
    setPending(true);
    try {
      const op = await deploy.mutateAsync({ batchSize: Number(batchSize), pauseSeconds: Number(pause), reason });
      router.push(`/operations/${op.id}`);
    } catch (err) {
      setPending(false);
      setError(errorText(err));
      if (err instanceof ApiClientError) setFields(err.fieldErrors);
    }
  }

  return (
    <>
      <button type="button" className="btn btn-primary" onClick={(e) => dialog.show(true, e.currentTarget)} disabled={enrolled.length === 0}>
        Deploy
      </button>
      {dialog.open && (
        <Dialog open title={`Deploy revision ${revision.number} of ${scopeName}`} onClose={dialog.hide}>
          <form onSubmit={submit} className="stack">
            <p style={{ margin: 0 }}>
              To {enrolled.length} target{enrolled.length === 1 ? "" : "s"}: {enrolled.map((t) => t.name).join(", ")}.
              {enrolled.length < targets.length && ` ${targets.length - enrolled.length} without an enrolled agent are left out.`}
            </p>
            <p className="muted" style={{ margin: 0 }}>
              Batches run one after the other; the first failure stops the deployment and puts its batch back.
            </p>
            <Field label="Batch size" hint="Targets changed at the same time" error={fields.batchSize}>
              {(p) => <input {...p} type="number" min={1} max={500} required value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />}
            </Field>
            <Field label="Pause between batches (seconds)" error={fields.pauseSeconds}>
              {(p) => <input {...p} type="number" min={0} max={3600} required value={pause} onChange={(e) => setPause(e.target.value)} />}
            </Field>
            <Field label="Reason" hint="Goes to the audit trail" error={fields.reason}>
              {(p) => <input {...p} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
            <DialogActions onCancel={dialog.hide} label="Start deployment" pendingLabel="Starting…" pending={pending} />
          </form>
        </Dialog>
      )}
    </>
  );
}

export function RollbackButton({ revision, scopeKey }: { revision: Revision; scopeKey: string }) {
  const rollback = useRollback(revision.id);
  return (
    <ConfirmButton
      label="Roll back to this"
      title={`Roll back to revision ${revision.number}?`}
      confirmLabel="Save as new revision"
      pendingLabel="Saving…"
      run={async () => {
        await rollback.mutateAsync(`Roll back to revision ${revision.number}`);
        return `/config/${scopeKey}`;
      }}
    >
      <p style={{ margin: 0 }}>
        This saves a new revision with exactly the content of revision {revision.number} (checked again first). Nothing changes on any target until you deploy
        it.
      </p>
    </ConfirmButton>
  );
}
