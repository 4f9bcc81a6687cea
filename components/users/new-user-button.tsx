"use client";
import { useState } from "react";
import { ApiClientError } from "@/lib/api/client";
import { userCreate, roleValues } from "@/lib/users/schemas";
import { useCreateUser } from "@/lib/users/queries";
import { Dialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { ErrorAlert, describeError, zodFieldErrors, type FieldErrors, type SubmitError } from "@/components/users/form-errors";
import { roleLabel } from "@/components/users/role-label";

const fields = ["email", "name", "role", "password"] as const;

export function NewUserButton() {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      {created && (
        <span role="status" className="muted">
          Created {created}
        </span>
      )}
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => {
          setCreated(null);
          setOpen(true);
        }}
      >
        New user
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New user">
        <CreateUserForm
          onCancel={() => setOpen(false)}
          onCreated={(email) => {
            setCreated(email);
            setOpen(false);
          }}
        />
      </Dialog>
    </>
  );
}

function CreateUserForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (email: string) => void }) {
  const create = useCreateUser();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<SubmitError | null>(null);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const parsed = userCreate.safeParse({
      email: String(form.get("email") ?? ""),
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    setAlert(null);
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      return;
    }
    setErrors({});
    create.mutate(parsed.data, {
      onSuccess: (user) => onCreated(user.email),
      onError: (error) => {
        const { fields: fieldErrors, alert: message } = describeError(error, fields);
        // The email is the only unique column of a user, so a conflict means it is taken.
        if (error instanceof ApiClientError && error.status === 409) fieldErrors.email ??= "A user with this email already exists";
        setErrors(fieldErrors);
        setAlert(message);
      },
    });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <ErrorAlert error={alert} />
      <Field label="Email" error={errors.email}>
        {(p) => <input {...p} className="input" name="email" type="email" autoComplete="off" required autoFocus />}
      </Field>
      <Field label="Name" error={errors.name} hint="Optional: how colleagues know this person">
        {(p) => <input {...p} className="input" name="name" autoComplete="off" maxLength={100} />}
      </Field>
      <Field label="Role" error={errors.role} hint="Viewers only look; operators take incident actions; admins change everything">
        {(p) => (
          <select {...p} className="input" name="role" defaultValue="VIEWER">
            {roleValues.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Password" error={errors.password} hint="At least 12 characters. Share it over a safe channel.">
        {(p) => <input {...p} className="input" name="password" type="password" autoComplete="new-password" required />}
      </Field>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
      </div>
    </form>
  );
}
