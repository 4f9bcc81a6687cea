"use client";
import { useRef } from "react";
import { lbKindValues, lbTierValues, loadBalancerCreate, loadBalancerUpdate } from "@/lib/inventory/schemas";
import { useLoadBalancerMutations } from "@/lib/inventory/queries";
import { AgentUrlInput, ClusterSelect, FixedCluster, FormActions, FormAlert, Select, TextInput } from "@/components/inventory/form-parts";
import { numberMessage, optionalText, parseNumber } from "@/components/inventory/form-utils";
import { useEntityForm, type EditMode } from "@/components/inventory/entity-form";
import { kindLabels, tierLabels, type ClusterOption, type LbKind, type LbTier } from "@/components/inventory/labels";

type Values = { clusterId: string; name: string; kind: LbKind | ""; tier: LbTier; host: string; port: string; agentUrl: string };
export type LoadBalancerFormInitial = { name: string; kind: LbKind; tier: LbTier; host: string; port: number; agentUrl: string | null };

type Props = { mode: "create"; clusters: ClusterOption[]; defaultClusterId?: string } | (EditMode<LoadBalancerFormInitial> & { clusterName: string });

const order = ["clusterId", "name", "kind", "tier", "host", "port", "agentUrl"] as const;

const kindHints: Record<LbKind, string> = {
  HAPROXY: "Software balancer driven by its agent over the HAProxy runtime API.",
  NGINX: "Software balancer with an agent beside it.",
  APACHE: "Apache httpd (mod_proxy_balancer) with an agent beside it.",
  HARDWARE: "An appliance in front of the software balancers: no agent, probed over HTTP/TCP.",
};

export function LoadBalancerForm(props: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const f = useEntityForm(props, formRef, {
    path: "/load-balancers",
    order,
    initial: (): Values =>
      props.mode === "edit"
        ? { clusterId: "", ...props.initial, port: String(props.initial.port), agentUrl: props.initial.agentUrl ?? "" }
        : { clusterId: props.defaultClusterId ?? "", name: "", kind: "", tier: "SOFTWARE", host: "", port: "", agentUrl: "" },
    schemas: { create: loadBalancerCreate, update: loadBalancerUpdate },
    mutations: useLoadBalancerMutations(),
  });
  const { values } = f;
  const hardware = values.kind === "HARDWARE";

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = {
      name: values.name.trim(),
      kind: values.kind || undefined,
      tier: values.tier,
      host: values.host.trim(),
      port: parseNumber(values.port),
      // A hardware balancer has no agent: whatever was typed before is dropped.
      agentUrl: hardware ? null : optionalText(values.agentUrl),
    };
    return f.save({
      create: { clusterId: values.clusterId, ...next },
      next,
      wording: {
        clusterId: values.clusterId ? undefined : "Choose a cluster",
        kind: values.kind ? undefined : "Choose a kind",
        port: numberMessage(values.port, "Port", 1, 65535),
      },
      conflict: { fields: { name: "Another load balancer in this cluster already has this name" } },
    });
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={f.message} />
      {props.mode === "create" ? (
        <ClusterSelect clusters={props.clusters} value={values.clusterId} onChange={f.set("clusterId")} error={f.errors.clusterId} />
      ) : (
        <FixedCluster name={props.clusterName} what="a load balancer" />
      )}
      <TextInput label="Name" {...f.field("name")} hint="Unique within the cluster; used in configs and logs." required maxLength={63} />
      <Select
        label="Kind"
        {...f.field("kind")}
        onChange={(kind) => {
          f.set("kind")(kind);
          if (kind === "HARDWARE") f.clearField("agentUrl");
        }}
        placeholder="Choose a kind…"
        hint={values.kind ? kindHints[values.kind] : undefined}
        options={lbKindValues.map((k) => ({ value: k, label: kindLabels[k] }))}
      />
      <Select
        label="Tier"
        {...f.field("tier")}
        hint="Edge: the first hop that takes client traffic. Software: the balancers that spread requests over the app nodes."
        options={lbTierValues.map((t) => ({ value: t, label: tierLabels[t] }))}
      />
      <TextInput label="Host" {...f.field("host")} hint="Hostname or IP address clients connect to." required />
      <TextInput label="Port" {...f.field("port")} hint="Listener port, e.g. 80 or 443." numeric required />
      {hardware ? (
        <p className="muted" data-testid="agent-url-hidden">
          No agent URL: a hardware load balancer is probed over HTTP/TCP.
        </p>
      ) : (
        <AgentUrlInput
          {...f.field("agentUrl")}
          hint="Optional. Where this balancer's Clusterdeck agent listens, e.g. https://10.0.0.5:7070. Leave empty until the agent is installed."
        />
      )}
      <FormActions {...f.actions("Create load balancer")} />
    </form>
  );
}
