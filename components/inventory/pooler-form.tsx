"use client";
import { useRef } from "react";
import { poolerCreate, poolerUpdate } from "@/lib/inventory/schemas";
import { usePoolerMutations } from "@/lib/inventory/queries";
import { AgentUrlInput, ClusterSelect, FixedCluster, FormActions, FormAlert, TextInput } from "@/components/inventory/form-parts";
import { numberMessage, optionalText, parseNumber } from "@/components/inventory/form-utils";
import { useEntityForm, type EditMode } from "@/components/inventory/entity-form";
import type { ClusterOption } from "@/components/inventory/labels";

type Values = { clusterId: string; name: string; host: string; port: string; agentUrl: string };
export type PoolerFormInitial = { name: string; host: string; port: number; agentUrl: string | null };

type Props = { mode: "create"; clusters: ClusterOption[]; defaultClusterId?: string } | (EditMode<PoolerFormInitial> & { clusterName: string });

const order = ["clusterId", "name", "host", "port", "agentUrl"] as const;

export function PoolerForm(props: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const f = useEntityForm(props, formRef, {
    path: "/poolers",
    order,
    initial: (): Values =>
      props.mode === "edit"
        ? { clusterId: "", ...props.initial, port: String(props.initial.port), agentUrl: props.initial.agentUrl ?? "" }
        : { clusterId: props.defaultClusterId ?? "", name: "", host: "", port: "6432", agentUrl: "" },
    schemas: { create: poolerCreate, update: poolerUpdate },
    mutations: usePoolerMutations(),
  });
  const { values } = f;

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = { name: values.name.trim(), host: values.host.trim(), port: parseNumber(values.port), agentUrl: optionalText(values.agentUrl) };
    return f.save({
      create: { clusterId: values.clusterId, ...next },
      next,
      wording: { clusterId: values.clusterId ? undefined : "Choose a cluster", port: numberMessage(values.port, "Port", 1, 65535) },
      conflict: {
        message: "Another pooler in this cluster already has this name, or this host and port. Names and addresses are unique within a cluster.",
      },
    });
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={f.message} />
      {props.mode === "create" ? (
        <ClusterSelect clusters={props.clusters} value={values.clusterId} onChange={f.set("clusterId")} error={f.errors.clusterId} />
      ) : (
        <FixedCluster name={props.clusterName} what="a pooler" />
      )}
      <TextInput label="Name" {...f.field("name")} hint="Unique within the cluster, e.g. pgbouncer-1." required maxLength={63} />
      <TextInput label="Host" {...f.field("host")} hint="Hostname or IP address the apps connect to." required />
      <TextInput label="Port" {...f.field("port")} hint="PgBouncer's listener: 6432 by default." numeric required />
      <AgentUrlInput
        {...f.field("agentUrl")}
        hint="Optional. Where the pooler's Clusterdeck agent (role pgbouncer) listens, e.g. https://10.0.2.31:7070. Leave empty until the agent is installed."
      />
      <p className="muted">Pooler: PgBouncer 1.18 or later, pool_mode = transaction.</p>
      <FormActions {...f.actions("Create pooler")} />
    </form>
  );
}
