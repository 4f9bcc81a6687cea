"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { databaseCreate, databaseUpdate, dbRoleValues } from "@/lib/inventory/schemas";
import { useDatabaseMutations } from "@/lib/inventory/queries";
import { ClusterSelect, FormActions, FormAlert, Select, TextInput } from "@/components/inventory/form-parts";
import { changedFields, numberMessage, optionalText, parseNumber, requestErrors, reword, useFormErrors, zodFieldErrors, type FieldErrors } from "@/components/inventory/form-utils";
import { roleLabels, type ClusterOption, type DbRole } from "@/components/inventory/labels";

type Values = { clusterId: string; name: string; host: string; port: string; role: DbRole; agentUrl: string };
export type DatabaseFormInitial = { name: string; host: string; port: number; role: DbRole; agentUrl: string | null };

type Props =
  | {
      mode: "create";
      clusters: ClusterOption[];
      defaultClusterId?: string;
      /** cluster id → name of its primary, for the clusters that have one. */
      primaries: Record<string, string>;
    }
  | { mode: "edit"; id: string; clusterName: string; otherPrimary: string | null; initial: DatabaseFormInitial; onDone: () => void; onCancel: () => void };

const order = ["clusterId", "name", "host", "port", "role", "agentUrl"] as const;

export function DatabaseForm(props: Props) {
  const router = useRouter();
  const { create, update } = useDatabaseMutations();
  const primaryOf = (clusterId: string) => (props.mode === "create" ? (props.primaries[clusterId] ?? null) : props.otherPrimary);
  const [values, setValues] = useState<Values>(() => {
    if (props.mode === "edit") return { clusterId: "", ...props.initial, port: String(props.initial.port), agentUrl: props.initial.agentUrl ?? "" };
    const clusterId = props.defaultClusterId ?? "";
    // The first instance of a cluster is its primary; after that, replicas.
    const role: DbRole = clusterId && props.primaries[clusterId] ? "REPLICA" : "PRIMARY";
    return { clusterId, name: "", host: "", port: "5432", role, agentUrl: "" };
  });
  // Until the person picks a role, it follows the cluster (primary if it has none yet).
  const [roleTouched, setRoleTouched] = useState(props.mode === "edit");
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(order, formRef);
  const [leaving, setLeaving] = useState(false);
  const pending = create.isPending || update.isPending || leaving;

  const set = (key: keyof Values) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    form.clearField(key);
  };

  const existingPrimary = values.clusterId || props.mode === "edit" ? primaryOf(values.clusterId) : null;
  const primaryClash = values.role === "PRIMARY" && existingPrimary !== null;
  const roleHint = primaryClash
    ? `This cluster already has a primary (${existingPrimary}); a second one is refused. Add this instance as a replica.`
    : props.mode === "edit"
      ? "Corrects the inventory record only. To fail over, promote a replica from its operations page."
      : "A cluster has exactly one primary; the other instances replicate from it.";

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    const next = {
      name: values.name.trim(),
      host: values.host.trim(),
      port: parseNumber(values.port),
      role: values.role,
      agentUrl: optionalText(values.agentUrl),
    };
    const wording: FieldErrors = {
      clusterId: values.clusterId ? undefined : "Choose a cluster",
      port: numberMessage(values.port, "Port", 1, 65535),
    };
    try {
      if (props.mode === "create") {
        const parsed = databaseCreate.safeParse({ clusterId: values.clusterId, ...next });
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        const created = await create.mutateAsync(parsed.data);
        setLeaving(true);
        router.push(`/databases/${created.id}`);
        router.refresh();
      } else {
        const patch = changedFields<Record<string, unknown>>(props.initial, next);
        if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
        const parsed = databaseUpdate.safeParse(patch);
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        await update.mutateAsync({ id: props.id, body: parsed.data });
        props.onDone();
        router.refresh();
      }
    } catch (error) {
      const { fields, message } = requestErrors(error, order, {
        message: "Another instance in this cluster already has this name, or this host and port. Names and addresses are unique within a cluster.",
      });
      // "Cluster already has a primary" is a 409 about the role.
      if (message.includes("already has a primary")) {
        fields.role ??= message;
        return form.fail(fields, "Check the highlighted fields.");
      }
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={form.message} />
      {props.mode === "create" ? (
        <ClusterSelect
          clusters={props.clusters}
          value={values.clusterId}
          onChange={(clusterId) => {
            set("clusterId")(clusterId);
            if (!roleTouched) setValues((v) => ({ ...v, role: props.primaries[clusterId] ? "REPLICA" : "PRIMARY" }));
          }}
          error={form.errors.clusterId}
        />
      ) : (
        <p className="muted">In cluster {props.clusterName} (an instance cannot move to another cluster).</p>
      )}
      <TextInput label="Name" name="name" value={values.name} onChange={set("name")} error={form.errors.name} hint="Unique within the cluster, e.g. pg-2." required maxLength={63} />
      <TextInput label="Host" name="host" value={values.host} onChange={set("host")} error={form.errors.host} hint="Hostname or IP address of the PostgreSQL server." required />
      <TextInput label="Port" name="port" value={values.port} onChange={set("port")} error={form.errors.port} hint="PostgreSQL listens on 5432 by default." numeric required />
      <Select
        label="Role"
        name="role"
        value={values.role}
        onChange={(role) => {
          setRoleTouched(true);
          set("role")(role);
        }}
        error={form.errors.role}
        hint={roleHint}
        options={dbRoleValues.map((r) => ({ value: r, label: roleLabels[r] }))}
      />
      <TextInput
        label="Agent URL"
        name="agentUrl"
        value={values.agentUrl}
        onChange={set("agentUrl")}
        error={form.errors.agentUrl}
        hint="Optional. Where the instance's Clusterdeck agent listens, e.g. https://10.0.2.21:7070. Leave empty until the agent is installed."
        type="url"
        inputMode="url"
      />
      <p className="muted">Engine: PostgreSQL.</p>
      <FormActions
        pending={pending}
        submitLabel={props.mode === "create" ? "Create database" : "Save changes"}
        pendingLabel={props.mode === "create" ? "Creating…" : "Saving…"}
        onCancel={props.mode === "edit" ? props.onCancel : undefined}
        cancelHref={props.mode === "create" ? "/databases" : undefined}
      />
    </form>
  );
}
