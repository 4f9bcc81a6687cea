"use client";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { clusterCreate, clusterUpdate } from "@/lib/inventory/schemas";
import { useClusterMutations } from "@/lib/inventory/queries";
import { FormActions, FormAlert, TextArea, TextInput } from "@/components/inventory/form-parts";
import { changedFields, requestErrors, useFormErrors, zodFieldErrors } from "@/components/inventory/form-utils";

type Values = { name: string; description: string; environment: string };

type Props =
  | { mode: "create" }
  | { mode: "edit"; id: string; initial: Values; onDone: () => void; onCancel: () => void };

const order = ["name", "description", "environment"] as const;

export function ClusterForm(props: Props) {
  const router = useRouter();
  const { create, update } = useClusterMutations();
  const initial: Values = props.mode === "edit" ? props.initial : { name: "", description: "", environment: "production" };
  const [values, setValues] = useState<Values>(initial);
  const formRef = useRef<HTMLFormElement>(null);
  const form = useFormErrors(order, formRef);
  // Stays true while the router leaves the page, so a second click cannot create a twin.
  const [leaving, setLeaving] = useState(false);
  const pending = create.isPending || update.isPending || leaving;

  const set = (key: keyof Values) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    form.clearField(key);
  };

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (pending) return;
    const next: Values = { name: values.name.trim(), description: values.description, environment: values.environment.trim() };
    try {
      if (props.mode === "create") {
        const parsed = clusterCreate.safeParse(next);
        if (!parsed.success) return form.fail(zodFieldErrors(parsed.error), "Check the highlighted fields.");
        form.clear();
        const created = await create.mutateAsync(parsed.data);
        setLeaving(true);
        router.push(`/clusters/${created.id}`);
        router.refresh();
      } else {
        const patch = changedFields(props.initial, next);
        if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
        const parsed = clusterUpdate.safeParse(patch);
        if (!parsed.success) return form.fail(zodFieldErrors(parsed.error), "Check the highlighted fields.");
        form.clear();
        await update.mutateAsync({ id: props.id, body: parsed.data });
        props.onDone();
        router.refresh();
      }
    } catch (error) {
      const { fields, message } = requestErrors(error, order, { fields: { name: "Another cluster already has this name" } });
      form.fail(fields, message);
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      <FormAlert message={form.message} />
      <TextInput
        label="Name"
        name="name"
        value={values.name}
        onChange={set("name")}
        error={form.errors.name}
        hint="Letters, digits, '.', '_' or '-'; unique across the console."
        required
        maxLength={63}
        autoFocus={props.mode === "create"}
      />
      <TextArea
        label="Description"
        name="description"
        value={values.description}
        onChange={set("description")}
        error={form.errors.description}
        hint="Optional. What runs here, who owns it, where the runbook lives."
      />
      <TextInput
        label="Environment"
        name="environment"
        value={values.environment}
        onChange={set("environment")}
        error={form.errors.environment}
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
      <FormActions
        pending={pending}
        submitLabel={props.mode === "create" ? "Create cluster" : "Save changes"}
        pendingLabel={props.mode === "create" ? "Creating…" : "Saving…"}
        onCancel={props.mode === "edit" ? props.onCancel : undefined}
        cancelHref={props.mode === "create" ? "/clusters" : undefined}
      />
    </form>
  );
}
