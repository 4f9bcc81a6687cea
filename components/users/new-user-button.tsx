"use client";
import { useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import { userCreate } from "@/lib/users/schemas";
import { useCreateUser } from "@/lib/users/queries";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";
import { RoleSelect } from "@/components/users/roles";

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
  const messages = useSubmitErrors(fields);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = messages.validate(
      userCreate.safeParse({
        email: String(form.get("email") ?? ""),
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? ""),
        password: String(form.get("password") ?? ""),
      }),
    );
    if (!input) return;
    create.mutate(input, {
      onSuccess: (user) => onCreated(user.email),
      onError: (error) =>
        messages.failed(error, (fieldErrors) => {
          // The email is the only unique column of a user, so a conflict means it is taken.
          if (error instanceof ApiClientError && error.status === 409) fieldErrors.email ??= "A user with this email already exists";
        }),
    });
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <ErrorAlert error={messages.alert} />
      <Field label="Email" error={messages.errors.email}>
        {(p) => <input {...p} className="input" name="email" type="email" autoComplete="off" required autoFocus />}
      </Field>
      <Field label="Name" error={messages.errors.name} hint="Optional: how colleagues know this person">
        {(p) => <input {...p} className="input" name="name" autoComplete="off" maxLength={100} />}
      </Field>
      <Field label="Role" error={messages.errors.role} hint="Viewers only look; operators take incident actions; admins change everything">
        {(p) => <RoleSelect {...p} name="role" defaultValue="VIEWER" />}
      </Field>
      <Field label="Password" error={messages.errors.password} hint="At least 12 characters. Share it over a safe channel.">
        {(p) => <input {...p} className="input" name="password" type="password" autoComplete="new-password" required />}
      </Field>
      <DialogActions onCancel={onCancel} label="Create user" pendingLabel="Creating…" pending={create.isPending} />
    </form>
  );
}
