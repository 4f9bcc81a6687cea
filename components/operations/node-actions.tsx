"use client";
// The incident buttons of a node page (operators and admins): Drain, with the
// impact on the rest of the cluster before anything happens; Resume; and
// Maintenance. Each starts a durable operation and opens its live progress.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { useDialog } from "@/components/inventory/dialogs";
import { ApiClientError } from "@/lib/http/client";
import type { adminStateValues } from "@/lib/inventory/schemas";
import type { DrainRequest } from "@/lib/operations/schemas";
import { useDrain, useDrainImpact, useMaintenance, useResume } from "@/lib/operations/queries";

/** Starts the operation with `run` (a mutation's mutateAsync) and opens its progress page. */
function useStart<B>(run: (body: B) => Promise<{ id: string }>) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  async function start(body: B) {
    setPending(true);
    setError(null);
    setFields({});
    try {
      const op = await run(body);
      router.push(`/operations/${op.id}`);
    } catch (e) {
      setPending(false);
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached. Nothing was started.");
      if (e instanceof ApiClientError) setFields(e.fieldErrors);
    }
  }
  return { start, pending, error, fields };
}

const Problem = ({ error }: { error: string | null }) =>
  error ? (
    <div className="alert alert-error" role="alert">
      {error}
    </div>
  ) : null;

export function NodeIncidentActions({ id, name, adminState }: { id: string; name: string; adminState: (typeof adminStateValues)[number] }) {
  const drain = useDialog();
  const resume = useDialog();
  const maint = useDialog();
  return (
    <>
      {adminState === "ACTIVE" && (
        <button type="button" className="btn btn-primary" onClick={(e) => drain.show(true, e.currentTarget)}>
          Drain
        </button>
      )}
      {adminState !== "ACTIVE" && (
        <button type="button" className="btn btn-primary" onClick={(e) => resume.show(true, e.currentTarget)}>
          Resume
        </button>
      )}
      {adminState !== "MAINTENANCE" && (
        <button type="button" className="btn" onClick={(e) => maint.show(true, e.currentTarget)}>
          Maintenance
        </button>
      )}
      {drain.open && <DrainDialog id={id} name={name} onClose={drain.hide} />}
      {resume.open && <ResumeDialog id={id} name={name} onClose={resume.hide} />}
      {maint.open && <MaintenanceDialog id={id} name={name} onClose={maint.hide} />}
    </>
  );
}

function DrainDialog({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const impact = useDrainImpact(id);
  const { start, pending, error, fields } = useStart(useDrain(id).mutateAsync);
  const [reason, setReason] = useState("");
  const [deadline, setDeadline] = useState("300");
  const [escalation, setEscalation] = useState<DrainRequest["escalation"]>("maintenance");
  const [force, setForce] = useState(false);
  const [forceReason, setForceReason] = useState("");
  const blocked = impact.data ? !impact.data.canCarry && !force : true;
  return (
    <Dialog open title={`Drain ${name}?`} onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void start({ reason, deadlineSeconds: Number(deadline), escalation, force, ...(force ? { forceReason } : {}) });
        }}
      >
        <p style={{ margin: 0 }}>{name} leaves every load balancer for new sessions; its current sessions stay until they end, then it is drained.</p>
        {impact.isPending && <p className="muted">Checking what the other nodes can carry…</p>}
        {impact.isError && <Problem error="Could not check the capacity; the console will check again when you drain." />}
        {impact.data && (
          <div className={`alert ${impact.data.canCarry ? "alert-ok" : "alert-error"}`} data-testid="drain-impact">
            <strong>{impact.data.canCarry ? "The others can carry it." : "Too little capacity left."}</strong> {impact.data.why}. {name} has{" "}
            {impact.data.node.sessions} session(s) now.
          </div>
        )}
        <Field label="Reason" hint="Goes to the audit trail and the events" error={fields.reason}>
          {(p) => <input {...p} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <Field label="Deadline (seconds)" hint="How long sessions may take to end" error={fields.deadlineSeconds}>
          {(p) => <input {...p} type="number" min={5} max={86400} value={deadline} onChange={(e) => setDeadline(e.target.value)} />}
        </Field>
        <Field label="At the deadline" error={fields.escalation}>
          {(p) => (
            <select {...p} value={escalation} onChange={(e) => setEscalation(e.target.value as DrainRequest["escalation"])}>
              <option value="maintenance">put it in maintenance (cuts what is left)</option>
              <option value="end-sessions">end the remaining sessions</option>
              <option value="none">stop and leave it draining</option>
            </select>
          )}
        </Field>
        {impact.data && !impact.data.canCarry && (
          <>
            <label className="row">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Drain anyway (force)
            </label>
            {force && (
              <Field label="Why drain anyway" hint="10+ characters; recorded with the operation" error={fields.forceReason}>
                {(p) => <input {...p} required minLength={10} maxLength={500} value={forceReason} onChange={(e) => setForceReason(e.target.value)} />}
              </Field>
            )}
          </>
        )}
        <Problem error={error} />
        <DialogActions
          onCancel={onClose}
          label={force ? "Drain anyway" : "Drain"}
          pendingLabel="Starting…"
          pending={pending}
          disabled={blocked}
          tone={force ? "danger" : "primary"}
          focusCancel
          lockCancel
        />
      </form>
    </Dialog>
  );
}

function ResumeDialog({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const { start, pending, error, fields } = useStart(useResume(id).mutateAsync);
  const [reason, setReason] = useState("");
  const [slow, setSlow] = useState("20");
  return (
    <Dialog open title={`Resume ${name}?`} onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void start({ reason, slowStartSeconds: Number(slow) });
        }}
      >
        <p style={{ margin: 0 }}>{name} takes sessions again; its share of traffic rises in steps over the slow start.</p>
        <Field label="Reason" error={fields.reason}>
          {(p) => <input {...p} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <Field label="Slow start (seconds)" error={fields.slowStartSeconds}>
          {(p) => <input {...p} type="number" min={0} max={3600} value={slow} onChange={(e) => setSlow(e.target.value)} />}
        </Field>
        <Problem error={error} />
        <DialogActions onCancel={onClose} label="Resume" pendingLabel="Starting…" pending={pending} lockCancel />
      </form>
    </Dialog>
  );
}

function MaintenanceDialog({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const { start, pending, error, fields } = useStart(useMaintenance(id).mutateAsync);
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  return (
    <Dialog open title={`Put ${name} in maintenance?`} onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void start({ reason, ...(until ? { until: new Date(until).toISOString() } : {}) });
        }}
      >
        <div className="alert alert-warn">{name} leaves every load balancer at once: its open sessions are cut. Drain it first to let them end.</div>
        <Field label="Reason" error={fields.reason}>
          {(p) => <input {...p} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <Field label="Until (optional)" hint="It comes back by itself then, with slow start" error={fields.until}>
          {(p) => <input {...p} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />}
        </Field>
        <Problem error={error} />
        <DialogActions onCancel={onClose} label="Start maintenance" pendingLabel="Starting…" pending={pending} tone="danger" focusCancel lockCancel />
      </form>
    </Dialog>
  );
}
