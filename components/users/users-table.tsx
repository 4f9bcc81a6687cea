"use client";
import { useState } from "react";
import { passwordReset, type roleValues, type UserItem } from "@/lib/users/schemas";
import { useResetPassword, useUpdateUser } from "@/lib/users/queries";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { actionsColumn, DataTable, wrapCell } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ErrorAlert, useSubmitErrors } from "@/components/ui/form-errors";
import { roleLabel, RoleSelect } from "@/components/users/roles";

type Role = (typeof roleValues)[number];
type Row = Pick<UserItem, "id" | "email" | "name" | "role" | "authSource" | "disabled" | "lastLoginAt" | "createdAt">;
type Action = { kind: "role" | "disable" | "enable" | "password"; user: Row };

// Lets long names and timestamps break at spaces, so the row actions stay in view.
const wrapWords = wrapCell("8em");

const titles: Record<Action["kind"], string> = {
  role: "Change role",
  disable: "Disable user",
  enable: "Enable user",
  password: "Reset password",
};

export function UsersTable({ users, currentUserId }: { users: Row[]; currentUserId: string | null }) {
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const close = () => setAction(null);
  const done = (message: string) => {
    setNotice(message);
    setAction(null);
  };
  const open = (kind: Action["kind"], user: Row) => {
    setNotice(null);
    setAction({ kind, user });
  };

  return (
    <div className="stack">
      <Notice message={notice} />
      <DataTable
        columns={["Email", "Name", "Role", "Sign-in", "Status", "Last sign-in", "Created", actionsColumn]}
        empty={users.length === 0 && "No users match these filters."}
      >
        {users.map((user) => {
          const self = user.id === currentUserId;
          // The identity provider decides an SSO account's role and checks who it is.
          const sso = user.authSource === "OIDC";
          return (
            <tr key={user.id} data-testid="user-row">
              <td>
                {user.email}
                {self && <span className="muted"> (you)</span>}
              </td>
              <td style={wrapWords}>{user.name || <span className="muted">—</span>}</td>
              <td>
                <StatusBadge value={user.role} />
              </td>
              <td>{sso ? <Badge>Single sign-on</Badge> : <span className="muted">Password</span>}</td>
              <td>
                <StatusBadge value={user.disabled ? "DISABLED" : "ACTIVE"} />
              </td>
              <td style={wrapWords}>
                <Time value={user.lastLoginAt} />
              </td>
              <td style={wrapWords}>
                <Time value={user.createdAt} />
              </td>
              <td>
                <span className="row">
                  {!sso && (
                    <button type="button" className="btn btn-sm" aria-label={`Change role of ${user.email}`} onClick={() => open("role", user)}>
                      Change role
                    </button>
                  )}
                  {user.disabled ? (
                    <button type="button" className="btn btn-sm" aria-label={`Enable ${user.email}`} onClick={() => open("enable", user)}>
                      Enable
                    </button>
                  ) : (
                    <button type="button" className="btn btn-sm btn-danger" aria-label={`Disable ${user.email}`} onClick={() => open("disable", user)}>
                      Disable
                    </button>
                  )}
                  {!sso && (
                    <button type="button" className="btn btn-sm" aria-label={`Reset password for ${user.email}`} onClick={() => open("password", user)}>
                      Reset password
                    </button>
                  )}
                </span>
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Dialog open={action !== null} onClose={close} title={action ? titles[action.kind] : ""}>
        {action?.kind === "role" && <RoleForm key={action.user.id} user={action.user} self={action.user.id === currentUserId} onCancel={close} onDone={done} />}
        {(action?.kind === "disable" || action?.kind === "enable") && (
          <DisableConfirm
            key={action.user.id}
            user={action.user}
            disable={action.kind === "disable"}
            self={action.user.id === currentUserId}
            onCancel={close}
            onDone={done}
          />
        )}
        {action?.kind === "password" && (
          <PasswordForm key={action.user.id} user={action.user} self={action.user.id === currentUserId} onCancel={close} onDone={done} />
        )}
      </Dialog>
    </div>
  );
}

type ActionProps = { user: Row; self: boolean; onCancel: () => void; onDone: (message: string) => void };

function RoleForm({ user, self, onCancel, onDone }: ActionProps) {
  const update = useUpdateUser();
  const [role, setRole] = useState<Role>(user.role);
  const messages = useSubmitErrors(["role"]);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    messages.clear();
    update.mutate(
      { id: user.id, role },
      {
        onSuccess: (u) => onDone(`${u.email} is now ${roleLabel(u.role).toLowerCase()}.`),
        onError: (error) => messages.failed(error),
      },
    );
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <p>
        Role of <strong>{user.email}</strong>. A change ends their open sessions{self ? ", including yours: you will have to sign in again" : ""}.
      </p>
      <ErrorAlert error={messages.alert} />
      <Field label="Role" error={messages.errors.role}>
        {(p) => <RoleSelect {...p} name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} autoFocus />}
      </Field>
      <DialogActions onCancel={onCancel} label="Save" pendingLabel="Saving…" pending={update.isPending} disabled={role === user.role} />
    </form>
  );
}

function DisableConfirm({ user, self, disable, onCancel, onDone }: ActionProps & { disable: boolean }) {
  const update = useUpdateUser();
  const messages = useSubmitErrors();

  function confirm() {
    messages.clear();
    update.mutate(
      { id: user.id, disabled: disable },
      {
        onSuccess: (u) => onDone(`${u.email} is ${disable ? "disabled" : "enabled"}.`),
        onError: (error) => messages.failed(error),
      },
    );
  }

  return (
    <div className="stack">
      {disable ? (
        <p>
          Disable <strong>{user.email}</strong>? They are signed out at once, cannot sign in, and their API tokens stop working until the account is enabled
          again.
          {self && <strong> This is your own account: you will be signed out.</strong>}
        </p>
      ) : (
        <p>
          Enable <strong>{user.email}</strong>? They can sign in again{" "}
          {user.authSource === "OIDC" ? "with single sign-on (if their groups still grant a role)" : "with their current password"}, and their unrevoked API
          tokens work again.
        </p>
      )}
      <ErrorAlert error={messages.alert} />
      <DialogActions
        onCancel={onCancel}
        focusCancel
        onConfirm={confirm}
        tone={disable ? "danger" : "primary"}
        label={disable ? "Disable user" : "Enable user"}
        pendingLabel={disable ? "Disabling…" : "Enabling…"}
        pending={update.isPending}
      />
    </div>
  );
}

function PasswordForm({ user, self, onCancel, onDone }: ActionProps) {
  const reset = useResetPassword();
  const messages = useSubmitErrors(["password"]);

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = messages.validate(passwordReset.safeParse({ password: String(form.get("password") ?? "") }));
    if (!input) return;
    reset.mutate(
      { id: user.id, password: input.password },
      {
        onSuccess: (u) => onDone(`New password set for ${u.email}; their open sessions have ended.`),
        onError: (error) => messages.failed(error),
      },
    );
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <p>
        Set a new password for <strong>{user.email}</strong>. Their open sessions end at once{self ? ", including yours" : ""}.
      </p>
      <ErrorAlert error={messages.alert} />
      {/* Lets password managers tie the new password to the right account. */}
      <input type="text" name="username" value={user.email} autoComplete="username" readOnly hidden />
      <Field label="New password" error={messages.errors.password} hint="At least 12 characters. Share it over a safe channel.">
        {(p) => <input {...p} className="input" name="password" type="password" autoComplete="new-password" required autoFocus />}
      </Field>
      <DialogActions onCancel={onCancel} label="Set password" pendingLabel="Setting…" pending={reset.isPending} />
    </form>
  );
}
