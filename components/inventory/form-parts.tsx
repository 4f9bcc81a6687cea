"use client";
// Labelled controls for the inventory forms, built on the shared Field so
// label, hint and error are wired for screen readers the same way everywhere.
import Link from "next/link";
import { Field } from "@/components/ui/field";
import type { ClusterOption } from "@/components/inventory/labels";

type Common = { label: string; name: string; error?: string; hint?: string };

export function TextInput({
  label,
  name,
  error,
  hint,
  value,
  onChange,
  numeric,
  ...rest
}: Common & {
  value: string;
  onChange: (value: string) => void;
  /** A whole number typed as text: a number input's wheel and spinner change values by accident. */
  numeric?: boolean;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "name" | "id">) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          className="input"
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          {...(numeric ? { inputMode: "numeric" as const } : {})}
          {...rest}
        />
      )}
    </Field>
  );
}

export function TextArea({
  label,
  name,
  error,
  hint,
  value,
  onChange,
  rows = 3,
}: Common & { value: string; onChange: (value: string) => void; rows?: number }) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => <textarea {...p} className="input" name={name} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

export function Select<V extends string>({
  label,
  name,
  error,
  hint,
  value,
  onChange,
  options,
  placeholder,
}: Common & { value: V | ""; onChange: (value: V) => void; options: readonly { value: V; label: string }[]; placeholder?: string }) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <select {...p} className="input" name={name} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {placeholder !== undefined && (
            <option value="" disabled={value !== ""}>
              {placeholder}
            </option>
          )}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Where the record's Clusterdeck agent listens: optional, a URL. */
export function AgentUrlInput(props: Omit<Common, "label"> & { value: string; onChange: (value: string) => void }) {
  return <TextInput label="Agent URL" {...props} type="url" inputMode="url" />;
}

/** Option labels are the bare cluster names, so "select the cluster called X" works for people and tests alike. */
export function ClusterSelect({
  clusters,
  value,
  onChange,
  error,
}: {
  clusters: ClusterOption[];
  value: string;
  onChange: (id: string) => void;
  error?: string;
}) {
  const chosen = clusters.find((c) => c.id === value);
  return (
    <Select
      label="Cluster"
      name="clusterId"
      value={value}
      onChange={onChange}
      error={error}
      placeholder="Choose a cluster…"
      hint={chosen ? `Environment: ${chosen.environment}. The cluster cannot be changed later.` : "The cluster cannot be changed later."}
      options={clusters.map((c) => ({ value: c.id, label: c.name }))}
    />
  );
}

/** The form-level message: what went wrong that no single field explains. */
export function FormAlert({ message, tone = "error" }: { message: string | null; tone?: "error" | "warn" }) {
  if (!message) return null;
  return (
    <div className={`alert alert-${tone}`} role="alert" tabIndex={-1} data-form-alert>
      {message}
    </div>
  );
}

export function FormActions({
  pending,
  submitLabel,
  pendingLabel,
  onCancel,
  cancelHref,
}: {
  pending: boolean;
  submitLabel: string;
  pendingLabel: string;
  onCancel?: () => void;
  cancelHref?: string;
}) {
  return (
    <div className="row">
      <button type="submit" className="btn btn-primary" disabled={pending} aria-disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="btn" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      )}
      {!onCancel && cancelHref && (
        <Link className="btn" href={cancelHref}>
          Cancel
        </Link>
      )}
    </div>
  );
}

/** On an edit form, in place of the cluster select: a record never moves to another cluster. */
export function FixedCluster({ name, what }: { name: string; what: string }) {
  return (
    <p className="muted">
      In cluster {name} ({what} cannot move to another cluster).
    </p>
  );
}
