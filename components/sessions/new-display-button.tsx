"use client";
import { useState } from "react";
import { displayCreate, type CreatedDisplay } from "@/lib/sessions/schemas";
import { useCreateDisplay } from "@/lib/sessions/queries";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Time } from "@/components/ui/time";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";

const fields = ["label", "days"] as const;

export function NewDisplayButton() {
  const [open, setOpen] = useState(false);
  // The link lives only here, and only until the dialog closes.
  const [created, setCreated] = useState<CreatedDisplay | null>(null);
  const close = () => {
    setOpen(false);
    setCreated(null);
  };
  return (
    <>
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
        New wall display
      </button>
      <Dialog open={open} onClose={close} title={created ? "Wall display link" : "New wall display"}>
        {created ? <CreatedDisplayView created={created} onDone={close} /> : <CreateDisplayForm onCancel={close} onCreated={setCreated} />}
      </Dialog>
    </>
  );
}

function CreateDisplayForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (display: CreatedDisplay) => void }) {
  const create = useCreateDisplay();
  const messages = useSubmitErrors(fields);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const days = String(form.get("days") ?? "").trim();
    const input = messages.validate(displayCreate.safeParse({ label: String(form.get("label") ?? ""), days: days === "" ? Number.NaN : Number(days) }));
    if (!input) return;
    create.mutate(input, { onSuccess: onCreated, onError: (error) => messages.failed(error) });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <p className="muted">
        A wall display shows the console without anyone signed in at it: it can only read (as a viewer, and no change of any kind is accepted), it has no idle
        timeout, and it works until it expires or someone ends it here. It belongs to you: it ends if your account is disabled or your role changes.
      </p>
      <ErrorAlert error={messages.alert} />
      <Field label="Name" error={messages.errors.label} hint="Where it hangs, e.g. 'NOC wall'">
        {(p) => <input {...p} className="input" name="label" autoComplete="off" required maxLength={60} autoFocus />}
      </Field>
      <Field label="Works for (days)" error={messages.errors.days} hint="From 1 to 90 days; then make a new one">
        {(p) => <input {...p} className="input" name="days" type="number" inputMode="numeric" min={1} max={90} step={1} defaultValue={30} />}
      </Field>
      <DialogActions onCancel={onCancel} label="Make display link" pendingLabel="Making…" pending={create.isPending} />
    </form>
  );
}

function CreatedDisplayView({ created, onDone }: { created: CreatedDisplay; onDone: () => void }) {
  // The code is in the fragment: browsers never send it to a server, so it stays out of access logs.
  const link = `${window.location.origin}/display#${created.code}`;
  return (
    <div className="stack">
      <div className="alert alert-warn">
        <strong>Open this link on the display within 15 minutes. It works once</strong> and is not shown again; whoever opens it first gets the display.
      </div>
      <p>
        <strong>{created.label}</strong> · read-only · works until <Time value={created.expiresAt} />
      </p>
      <div className="secret-box" data-testid="display-link" role="group" aria-label="Display link">
        {link}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
