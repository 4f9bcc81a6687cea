"use client";
import { useRef, useState } from "react";
import { databaseCreate, databaseUpdate, dbRoleValues } from "@/lib/inventory/schemas";
import { useDatabaseMutations } from "@/lib/inventory/queries";
import { AgentUrlInput, ClusterSelect, FixedCluster, FormActions, FormAlert, Select, TextInput } from "@/components/inventory/form-parts";
import { numberMessage, optionalText, parseNumber } from "@/components/inventory/form-utils";
import { useEntityForm, type EditMode } from "@/components/inventory/entity-form";
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
  | (EditMode<DatabaseFormInitial> & { clusterName: string; otherPrimary: string | null });

const order = ["clusterId", "name", "host", "port", "role", "agentUrl"] as const;

export function DatabaseForm(props: Props) {
  const primaryOf = (clusterId: string) => (props.mode === "create" ? (props.primaries[clusterId] ?? null) : props.otherPrimary);
  const formRef = useRef<HTMLFormElement>(null);
  const f = useEntityForm(props, formRef, {
    path: "/databases",
    order,
    initial: (): Values => {
      if (props.mode === "edit") return { clusterId: "", ...props.initial, port: String(props.initial.port), agentUrl: props.initial.agentUrl ?? "" };
      const clusterId = props.defaultClusterId ?? "";
      // The first instance of a cluster is its primary; after that, replicas.
      const role: DbRole = clusterId && props.primaries[clusterId] ? "REPLICA" : "PRIMARY";
      return { clusterId, name: "", host: "", port: "5432", role, agentUrl: "" };
    },
    schemas: { create: databaseCreate, update: databaseUpdate },
    mutations: useDatabaseMutations(),
  });
  const { values } = f;
  // Until the person picks a role, it follows the cluster (primary if it has none yet).
  const [roleTouched, setRoleTouched] = useState(props.mode === "edit");

  const existingPrimary = values.clusterId || props.mode === "edit" ? primaryOf(values.clusterId) : null;
  const primaryClash = values.role === "PRIMARY" && existingPrimary !== null;
  const roleHint = primaryClash
    ? `This cluster already has a primary (${existingPrimary}); a second one is refused. Add this instance as a replica.`
    : props.mode === "edit"
      ? "Corrects the inventory record only. To fail over, promote a replica from its operations page."
      : "A cluster has exactly one primary; the other instances replicate from it.";

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next = {
      name: values.name.trim(),
      host: values.host.trim(),
      port: parseNumber(values.port),
      role: values.role,
      agentUrl: optionalText(values.agentUrl),
    };
    return f.save({
      create: { clusterId: values.clusterId, ...next },
      next,
      wording: {
        clusterId: values.clusterId ? undefined : "Choose a cluster",
        port: numberMessage(values.port, "Port", 1, 65535),
      },
      conflict: {
        message: "Another instance in this cluster already has this name, or this host and port. Names and addresses are unique within a cluster.",
      },
      explain: (fields, message) => {
        // "Cluster already has a primary" is a 409 about the role.
        if (!message.includes("already has a primary")) return message;
        fields.role ??= message;
        return "Check the highlighted fields.";
      },
    });
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={f.message} />
      {props.mode === "create" ? (
        <ClusterSelect
          clusters={props.clusters}
          value={values.clusterId}
          onChange={(clusterId) => {
            f.set("clusterId")(clusterId);
            if (!roleTouched) f.setValues((v) => ({ ...v, role: props.primaries[clusterId] ? "REPLICA" : "PRIMARY" }));
          }}
          error={f.errors.clusterId}
        />
      ) : (
        <FixedCluster name={props.clusterName} what="an instance" />
      )}
      <TextInput label="Name" {...f.field("name")} hint="Unique within the cluster, e.g. pg-2." required maxLength={63} />
      <TextInput label="Host" {...f.field("host")} hint="Hostname or IP address of the PostgreSQL server." required />
      <TextInput label="Port" {...f.field("port")} hint="PostgreSQL listens on 5432 by default." numeric required />
      <Select
        label="Role"
        {...f.field("role")}
        onChange={(role) => {
          setRoleTouched(true);
          f.set("role")(role);
        }}
        hint={roleHint}
        options={dbRoleValues.map((r) => ({ value: r, label: roleLabels[r] }))}
      />
      <AgentUrlInput
        {...f.field("agentUrl")}
        hint="Optional. Where the instance's Clusterdeck agent listens, e.g. https://10.0.2.21:7070. Leave empty until the agent is installed."
      />
      <p className="muted">Engine: PostgreSQL.</p>
      <FormActions {...f.actions("Create database")} />
    </form>
  );
}
