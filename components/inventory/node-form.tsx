"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { nodeCreate, nodeUpdate } from "@/lib/inventory/schemas";
import { useNodeMutations } from "@/lib/inventory/queries";
import { ClusterSelect, FormActions, FormAlert, TextInput } from "@/components/inventory/form-parts";
import { changedFields, numberMessage, optionalText, parseNumber, requestErrors, reword, useFormErrors, zodFieldErrors, type FieldErrors } from "@/components/inventory/form-utils";
import type { ClusterOption } from "@/components/inventory/labels";

type Values = { clusterId: string; name: string; host: string; port: string; weight: string; capacity: string; agentUrl: string };
export type NodeFormInitial = { name: string; host: string; port: number; weight: number; capacity: number; agentUrl: string | null };

type Props =
  | { mode: "create"; clusters: ClusterOption[]; defaultClusterId?: string }
  | { mode: "edit"; id: string; clusterName: string; initial: NodeFormInitial; onDone: () => void; onCancel: () => void };

const order = ["clusterId", "name", "host", "port", "weight", "capacity", "agentUrl"] as const;

export function NodeForm(props: Props) {
  const router = useRouter();
  const { create, update } = useNodeMutations();
  const [values, setValues] = useState<Values>(() =>
    props.mode === "edit"
      ? {
          clusterId: "",
          name: props.initial.name,
          host: props.initial.host,
          port: String(props.initial.port),
          weight: String(props.initial.weight),
          capacity: String(props.initial.capacity),
          agentUrl: props.initial.agentUrl ?? "",
        }
      : { clusterId: props.defaultClusterId ?? "", name: "", host: "", port: "", weight: "100", capacity: "1000", agentUrl: "" },
  );
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(order, formRef);
  const [leaving, setLeaving] = useState(false);
  const pending = create.isPending || update.isPending || leaving;

  const set = (key: keyof Values) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    form.clearField(key);
  };

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    const next = {
      name: values.name.trim(),
      host: values.host.trim(),
      port: parseNumber(values.port),
      weight: parseNumber(values.weight),
      capacity: parseNumber(values.capacity),
      agentUrl: optionalText(values.agentUrl),
    };
    const wording: FieldErrors = {
      clusterId: values.clusterId ? undefined : "Choose a cluster",
      port: numberMessage(values.port, "Port", 1, 65535),
      weight: numberMessage(values.weight, "Weight", 0, 256),
      capacity: numberMessage(values.capacity, "Capacity", 1, 10_000_000),
    };
    try {
      if (props.mode === "create") {
        const parsed = nodeCreate.safeParse({ clusterId: values.clusterId, ...next });
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        const created = await create.mutateAsync(parsed.data);
        setLeaving(true);
        router.push(`/nodes/${created.id}`);
        router.refresh();
      } else {
        const patch = changedFields<Record<string, unknown>>(props.initial, next);
        if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
        const parsed = nodeUpdate.safeParse(patch);
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        await update.mutateAsync({ id: props.id, body: parsed.data });
        props.onDone();
        router.refresh();
      }
    } catch (error) {
      const { fields, message } = requestErrors(error, order, {
        message: "Another node in this cluster already has this name, or this host and port. Names and addresses are unique within a cluster.",
      });
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={form.message} />
      {props.mode === "create" ? (
        <ClusterSelect clusters={props.clusters} value={values.clusterId} onChange={set("clusterId")} error={form.errors.clusterId} />
      ) : (
        <p className="muted">In cluster {props.clusterName} (a node cannot move to another cluster).</p>
      )}
      <TextInput label="Name" name="name" value={values.name} onChange={set("name")} error={form.errors.name} hint="Unique within the cluster, e.g. app-3." required maxLength={63} />
      <TextInput label="Host" name="host" value={values.host} onChange={set("host")} error={form.errors.host} hint="Hostname or IP address the load balancers reach the app server on." required />
      <TextInput label="Port" name="port" value={values.port} onChange={set("port")} error={form.errors.port} hint="The app server's HTTP port, e.g. 8080." numeric required />
      <TextInput
        label="Weight"
        name="weight"
        value={values.weight}
        onChange={set("weight")}
        error={form.errors.weight}
        hint="0 to 256: its default share of traffic in a pool, relative to the other members."
        numeric
      />
      <TextInput
        label="Capacity (sessions)"
        name="capacity"
        value={values.capacity}
        onChange={set("capacity")}
        error={form.errors.capacity}
        hint="Sessions this node is sized to carry; used to check that the others can absorb its load (N+1)."
        numeric
      />
      <TextInput
        label="Agent URL"
        name="agentUrl"
        value={values.agentUrl}
        onChange={set("agentUrl")}
        error={form.errors.agentUrl}
        hint="Optional. Where the node's Clusterdeck agent listens, e.g. https://10.0.1.11:7070. Leave empty until the agent is installed."
        type="url"
        inputMode="url"
      />
      <FormActions
        pending={pending}
        submitLabel={props.mode === "create" ? "Create node" : "Save changes"}
        pendingLabel={props.mode === "create" ? "Creating…" : "Saving…"}
        onCancel={props.mode === "edit" ? props.onCancel : undefined}
        cancelHref={props.mode === "create" ? "/nodes" : undefined}
      />
    </form>
  );
}
