"use client";
import { useState } from "react";
import { tokenCreate, type CreatedToken } from "@/lib/tokens/schemas";
import { useCreateToken } from "@/lib/tokens/queries";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Time } from "@/components/ui/time";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";
import { roleLabel, RoleSelect } from "@/components/users/roles";

const fields = ["name", "role", "expiresInDays"] as const;

export function NewTokenButton() {
  const [open, setOpen] = useState(false);
  // The secret lives only here, and only until the dialog closes.
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const close = () => {
    setOpen(false);
    setCreated(null);
  };
  return (
    <>
      <button type="button" className="btn btn-primary" onClick={() => setOpen(true)}>
        New token
      </button>
      <Dialog open={open} onClose={close} title={created ? "Token created" : "New token"}>
        {created ? <CreatedTokenView created={created} onDone={close} /> : <CreateTokenForm onCancel={close} onCreated={setCreated} />}
      </Dialog>
    </>
  );
}

function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (token: CreatedToken) => void }) {
  const create = useCreateToken();
  const [noExpiry, setNoExpiry] = useState(false);
  const messages = useSubmitErrors(fields);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const days = String(form.get("expiresInDays") ?? "").trim();
    const parsed = tokenCreate.safeParse({
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? ""),
      expiresInDays: noExpiry ? null : days === "" ? Number.NaN : Number(days),
    });
    const input = messages.validate(parsed, (fieldErrors) => {
      if (fieldErrors.expiresInDays) fieldErrors.expiresInDays = "Enter a whole number of days from 1 to 3650, or choose no expiry";
    });
    if (!input) return;
    create.mutate(input, { onSuccess: onCreated, onError: (error) => messages.failed(error) });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <ErrorAlert error={messages.alert} />
      <Field label="Name" error={messages.errors.name} hint="What uses it, e.g. 'ci-deploy' or 'grafana'">
        {(p) => <input {...p} className="input" name="name" autoComplete="off" required maxLength={63} autoFocus />}
      </Field>
      <Field label="Role" error={messages.errors.role} hint="Give a token the least role its job needs">
        {(p) => <RoleSelect {...p} name="role" defaultValue="VIEWER" />}
      </Field>
      <Field label="Expires in (days)" error={messages.errors.expiresInDays} hint={noExpiry ? "The token works until it is revoked" : "From 1 to 3650 days"}>
        {(p) => (
          <input
            {...p}
            className="input"
            name="expiresInDays"
            type="number"
            inputMode="numeric"
            min={1}
            max={3650}
            step={1}
            defaultValue={90}
            disabled={noExpiry}
          />
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" name="noExpiry" checked={noExpiry} onChange={(e) => setNoExpiry(e.target.checked)} /> No expiry
      </label>
      <DialogActions onCancel={onCancel} label="Create token" pendingLabel="Creating…" pending={create.isPending} />
    </form>
  );
}

function CreatedTokenView({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("yes");
    } catch {
      // No clipboard (plain http, or permission refused): the box selects all on click.
      setCopied("failed");
    }
  }

  return (
    <div className="stack">
      <div className="alert alert-warn">
        <strong>Copy this token now. You will not see it again:</strong> only a hash of it is stored, so it cannot be shown later. If it is lost, revoke it and
        create a new one.
      </div>
      <p>
        <strong>{created.name}</strong> · {roleLabel(created.role)} · expires <Time value={created.expiresAt} />
      </p>
      <div className="stack" style={{ gap: 4 }}>
        <span className="stat-label" id="new-token-label">
          Token
        </span>
        <div className="secret-box" data-testid="new-token" aria-labelledby="new-token-label" role="group">
          {created.token}
        </div>
      </div>
      <div className="row">
        <button type="button" className="btn" onClick={copy} autoFocus>
          Copy token
        </button>
        <span role="status" className="muted">
          {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Could not copy: select the token and copy it by hand." : ""}
        </span>
      </div>
      <p className="muted">
        Send it as <code>Authorization: Bearer {created.prefix}…</code>
      </p>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}
