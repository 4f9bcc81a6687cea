"use client";
import { useRef } from "react";
import { clusterCreate, clusterUpdate } from "@/lib/inventory/schemas";
import { useClusterMutations } from "@/lib/inventory/queries";
import { FormActions, FormAlert, TextArea, TextInput } from "@/components/inventory/form-parts";
import { useEntityForm, type FormMode } from "@/components/inventory/entity-form";

type Values = { name: string; description: string; environment: string };

type Props = FormMode<Values>;

const order = ["name", "description", "environment"] as const;

export function ClusterForm(props: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  const f = useEntityForm(props, formRef, {
    path: "/clusters",
    order,
    initial: (): Values => (props.mode === "edit" ? props.initial : { name: "", description: "", environment: "production" }),
    schemas: { create: clusterCreate, update: clusterUpdate },
    mutations: useClusterMutations(),
  });

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const next: Values = { name: f.values.name.trim(), description: f.values.description, environment: f.values.environment.trim() };
    return f.save({ create: next, next, conflict: { fields: { name: "Another cluster already has this name" } } });
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={f.message} />
      <TextInput
        label="Name"
        {...f.field("name")}
        hint="Letters, digits, '.', '_' or '-'; unique across the console."
        required
        maxLength={63}
        autoFocus={props.mode === "create"}
      />
      <TextArea label="Description" {...f.field("description")} hint="Optional. What runs here, who owns it, where the runbook lives." />
      <TextInput
        label="Environment"
        {...f.field("environment")}
        hint="Lower-case letters, digits and '-', e.g. production or staging."
        list="cluster-environments"
        required
        maxLength={32}
      />
      <datalist id="cluster-environments">
        <option value="production" />
        <option value="staging" />
        <option value="development" />
      </datalist>
      <FormActions {...f.actions("Create cluster")} />
    </form>
  );
}
