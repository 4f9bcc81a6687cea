"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { lbKindValues, lbTierValues, loadBalancerCreate, loadBalancerUpdate } from "@/lib/inventory/schemas";
import { useLoadBalancerMutations } from "@/lib/inventory/queries";
import { ClusterSelect, FormActions, FormAlert, Select, TextInput } from "@/components/inventory/form-parts";
import { changedFields, numberMessage, optionalText, parseNumber, requestErrors, reword, useFormErrors, zodFieldErrors, type FieldErrors } from "@/components/inventory/form-utils";
import { kindLabels, tierLabels, type ClusterOption, type LbKind, type LbTier } from "@/components/inventory/labels";

type Values = { clusterId: string; name: string; kind: LbKind | ""; tier: LbTier; host: string; port: string; agentUrl: string };
export type LoadBalancerFormInitial = { name: string; kind: LbKind; tier: LbTier; host: string; port: number; agentUrl: string | null };

type Props =
  | { mode: "create"; clusters: ClusterOption[]; defaultClusterId?: string }
  | { mode: "edit"; id: string; clusterName: string; initial: LoadBalancerFormInitial; onDone: () => void; onCancel: () => void };

const order = ["clusterId", "name", "kind", "tier", "host", "port", "agentUrl"] as const;

const kindHints: Record<LbKind, string> = {
  HAPROXY: "Software balancer driven by its agent over the HAProxy runtime API.",
  NGINX: "Software balancer with an agent beside it.",
  APACHE: "Apache httpd (mod_proxy_balancer) with an agent beside it.",
  HARDWARE: "An appliance in front of the software balancers: no agent, probed over HTTP/TCP.",
};

export function LoadBalancerForm(props: Props) {
  const router = useRouter();
  const { create, update } = useLoadBalancerMutations();
  const [values, setValues] = useState<Values>(() =>
    props.mode === "edit"
      ? { clusterId: "", ...props.initial, port: String(props.initial.port), agentUrl: props.initial.agentUrl ?? "" }
      : { clusterId: props.defaultClusterId ?? "", name: "", kind: "", tier: "SOFTWARE", host: "", port: "", agentUrl: "" },
  );
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(order, formRef);
  const [leaving, setLeaving] = useState(false);
  const pending = create.isPending || update.isPending || leaving;
  const hardware = values.kind === "HARDWARE";

  const set =
    <K extends keyof Values>(key: K) =>
    (value: Values[K]) => {
      setValues((v) => ({ ...v, [key]: value }));
      form.clearField(key);
    };

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    const next = {
      name: values.name.trim(),
      kind: values.kind || undefined,
      tier: values.tier,
      host: values.host.trim(),
      port: parseNumber(values.port),
      // A hardware balancer has no agent: whatever was typed before is dropped.
      agentUrl: hardware ? null : optionalText(values.agentUrl),
    };
    const wording: FieldErrors = {
      clusterId: values.clusterId ? undefined : "Choose a cluster",
      kind: values.kind ? undefined : "Choose a kind",
      port: numberMessage(values.port, "Port", 1, 65535),
    };
    try {
      if (props.mode === "create") {
        const parsed = loadBalancerCreate.safeParse({ clusterId: values.clusterId, ...next });
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        const created = await create.mutateAsync(parsed.data);
        setLeaving(true);
        router.push(`/load-balancers/${created.id}`);
        router.refresh();
      } else {
        const patch = changedFields<Record<string, unknown>>(props.initial, next);
        if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
        const parsed = loadBalancerUpdate.safeParse(patch);
        if (!parsed.success) return form.fail(reword(zodFieldErrors(parsed.error), wording), "Check the highlighted fields.");
        form.clear();
        await update.mutateAsync({ id: props.id, body: parsed.data });
        props.onDone();
        router.refresh();
      }
    } catch (error) {
      const { fields, message } = requestErrors(error, order, { fields: { name: "Another load balancer in this cluster already has this name" } });
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={form.message} />
      {props.mode === "create" ? (
        <ClusterSelect clusters={props.clusters} value={values.clusterId} onChange={set("clusterId")} error={form.errors.clusterId} />
      ) : (
        <p className="muted">In cluster {props.clusterName} (a load balancer cannot move to another cluster).</p>
      )}
      <TextInput
        label="Name"
        name="name"
        value={values.name}
        onChange={set("name")}
        error={form.errors.name}
        hint="Unique within the cluster; used in configs and logs."
        required
        maxLength={63}
      />
      <Select
        label="Kind"
        name="kind"
        value={values.kind}
        onChange={(kind) => {
          set("kind")(kind);
          if (kind === "HARDWARE") form.clearField("agentUrl");
        }}
        error={form.errors.kind}
        placeholder="Choose a kind…"
        hint={values.kind ? kindHints[values.kind] : undefined}
        options={lbKindValues.map((k) => ({ value: k, label: kindLabels[k] }))}
      />
      <Select
        label="Tier"
        name="tier"
        value={values.tier}
        onChange={set("tier")}
        error={form.errors.tier}
        hint="Edge: the first hop that takes client traffic. Software: the balancers that spread requests over the app nodes."
        options={lbTierValues.map((t) => ({ value: t, label: tierLabels[t] }))}
      />
      <TextInput label="Host" name="host" value={values.host} onChange={set("host")} error={form.errors.host} hint="Hostname or IP address clients connect to." required />
      <TextInput label="Port" name="port" value={values.port} onChange={set("port")} error={form.errors.port} hint="Listener port, e.g. 80 or 443." numeric required />
      {hardware ? (
        <p className="muted" data-testid="agent-url-hidden">
          No agent URL: a hardware load balancer is probed over HTTP/TCP.
        </p>
      ) : (
        <TextInput
          label="Agent URL"
          name="agentUrl"
          value={values.agentUrl}
          onChange={set("agentUrl")}
          error={form.errors.agentUrl}
          hint="Optional. Where this balancer's Clusterdeck agent listens, e.g. https://10.0.0.5:7070. Leave empty until the agent is installed."
          type="url"
          inputMode="url"
        />
      )}
      <FormActions
        pending={pending}
        submitLabel={props.mode === "create" ? "Create load balancer" : "Save changes"}
        pendingLabel={props.mode === "create" ? "Creating…" : "Saving…"}
        onCancel={props.mode === "edit" ? props.onCancel : undefined}
        cancelHref={props.mode === "create" ? "/load-balancers" : undefined}
      />
    </form>
  );
}
