"use client";
import { useRef } from "react";
import { nodeCreate, nodeUpdate } from "@/lib/inventory/schemas";
import { useNodeMutations } from "@/lib/inventory/queries";
import { AgentUrlInput, ClusterSelect, FixedCluster, FormActions, FormAlert, TextInput } from "@/components/inventory/form-parts";
import { numberMessage, optionalText, parseNumber } from "@/components/inventory/form-utils";
import { useEntityForm, type EditMode } from "@/components/inventory/entity-form";
import type { ClusterOption } from "@/components/inventory/labels";

export type NodeFormInitial = { name: string; host: string; port: number; weight: number; capacity: number; agentUrl: string | null };

type Props = { mode: "create"; clusters: ClusterOption[]; defaultClusterId?: string } | (EditMode<NodeFormInitial> & { clusterName: string });

const order = ["clusterId", "name", "host", "port", "weight", "capacity", "agentUrl"] as const;

export function NodeForm(props: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const f = useEntityForm(props, formRef, {
    path: "/nodes",
    order,
    initial: () =>
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
    schemas: { create: nodeCreate, update: nodeUpdate },
    mutations: useNodeMutations(),
  });
  const { values } = f;

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = {
      name: values.name.trim(),
      host: values.host.trim(),
      port: parseNumber(values.port),
      weight: parseNumber(values.weight),
      capacity: parseNumber(values.capacity),
      agentUrl: optionalText(values.agentUrl),
    };
    return f.save({
      create: { clusterId: values.clusterId, ...next },
      next,
      wording: {
        clusterId: values.clusterId ? undefined : "Choose a cluster",
        port: numberMessage(values.port, "Port", 1, 65535),
        weight: numberMessage(values.weight, "Weight", 0, 256),
        capacity: numberMessage(values.capacity, "Capacity", 1, 10_000_000),
      },
      conflict: {
        message: "Another node in this cluster already has this name, or this host and port. Names and addresses are unique within a cluster.",
      },
    });
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={f.message} />
      {props.mode === "create" ? (
        <ClusterSelect clusters={props.clusters} value={values.clusterId} onChange={f.set("clusterId")} error={f.errors.clusterId} />
      ) : (
        <FixedCluster name={props.clusterName} what="a node" />
      )}
      <TextInput label="Name" {...f.field("name")} hint="Unique within the cluster, e.g. app-3." required maxLength={63} />
      <TextInput label="Host" {...f.field("host")} hint="Hostname or IP address the load balancers reach the app server on." required />
      <TextInput label="Port" {...f.field("port")} hint="The app server's HTTP port, e.g. 8080." numeric required />
      <TextInput label="Weight" {...f.field("weight")} hint="0 to 256: its default share of traffic in a pool, relative to the other members." numeric />
      <TextInput
        label="Capacity (sessions)"
        {...f.field("capacity")}
        hint="Sessions this node is sized to carry; used to check that the others can absorb its load (N+1)."
        numeric
      />
      <AgentUrlInput
        {...f.field("agentUrl")}
        hint="Optional. Where the node's Clusterdeck agent listens, e.g. https://10.0.1.11:7070. Leave empty until the agent is installed."
      />
      <FormActions {...f.actions("Create node")} />
    </form>
  );
}
