// What the four inventory forms (cluster, load balancer, node, database)
// share: create or edit mode, the values as typed, and the submit flow.
// Create opens the new record's page; edit sends only what changed, then
// closes its dialog. Each form still lists its own fields and rules.
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { z } from "zod";
import { zodFieldErrors, type FieldErrors } from "@/components/ui/form-errors";
import { changedFields, requestErrors, reword, useFormErrors } from "@/components/inventory/form-utils";

export type EditMode<I> = { mode: "edit"; id: string; initial: I; onDone: () => void; onCancel: () => void };
export type FormMode<I> = { mode: "create" } | EditMode<I>;

type Schema<T> = { safeParse(input: unknown): { success: true; data: T } | { success: false; error: z.ZodError } };
type Mutation<V, R> = { isPending: boolean; mutateAsync: (variables: V) => Promise<R> };

export function useEntityForm<V extends Record<string, string>, C, U>(
  props: FormMode<object>,
  /** The form element, where a failed submit puts the focus. */
  formRef: React.RefObject<HTMLFormElement | null>,
  options: {
    /** The list: a created record opens at `${path}/${id}`; Cancel on create goes back here. */
    path: string;
    /** The fields in the order shown: a failed submit focuses the first with an error. */
    order: readonly string[];
    initial: () => V;
    schemas: { create: Schema<C>; update: Schema<U> };
    mutations: { create: Mutation<C, { id: string }>; update: Mutation<{ id: string; body: U }, unknown> };
  },
) {
  const { path, order, schemas, mutations } = options;
  const router = useRouter();
  const [values, setValues] = useState<V>(options.initial);
  const form = useFormErrors(order, formRef);
  // Stays true while the router leaves the page, so a second click cannot create a twin.
  const [leaving, setLeaving] = useState(false);
  const pending = mutations.create.isPending || mutations.update.isPending || leaving;

  const set =
    <K extends keyof V & string>(key: K) =>
    (value: V[K]) => {
      setValues((v) => ({ ...v, [key]: value }));
      form.clearField(key);
    };

  /** Validates with the mode's schema and sends; the schema's or the server's refusal lands on the fields. */
  async function save(input: {
    /** What the create schema checks. */
    create: unknown;
    /** The values an edit compares with the initial ones. */
    next: Record<string, unknown>;
    /** Clearer messages than the schema's, for the fields it rejects. */
    wording?: FieldErrors;
    /** The form's reading of a bare 409 about a unique value (see requestErrors). */
    conflict?: { fields?: FieldErrors; message?: string };
    /** May pin a refusal on a field (adding to `fields`); returns the banner message. */
    explain?: (fields: FieldErrors, message: string) => string;
  }) {
    if (pending) return;
    const invalid = (error: z.ZodError) => form.fail(reword(zodFieldErrors(error), input.wording ?? {}), "Check the highlighted fields.");
    try {
      if (props.mode === "create") {
        const parsed = schemas.create.safeParse(input.create);
        if (!parsed.success) return invalid(parsed.error);
        form.clear();
        const created = await mutations.create.mutateAsync(parsed.data);
        setLeaving(true);
        router.push(`${path}/${created.id}`);
        router.refresh();
      } else {
        const patch = changedFields(props.initial as Record<string, unknown>, input.next);
        if (Object.keys(patch).length === 0) return form.fail({}, "Nothing has changed.");
        const parsed = schemas.update.safeParse(patch);
        if (!parsed.success) return invalid(parsed.error);
        form.clear();
        await mutations.update.mutateAsync({ id: props.id, body: parsed.data });
        props.onDone();
        router.refresh();
      }
    } catch (error) {
      const { fields, message } = requestErrors(error, order, input.conflict);
      form.fail(fields, input.explain ? input.explain(fields, message) : message);
    }
  }

  return {
    values,
    setValues,
    set,
    errors: form.errors,
    clearField: form.clearField,
    pending,
    save,
    /** A TextInput's or Select's binding to one value. */
    field: <K extends keyof V & string>(key: K) => ({ name: key, value: values[key], onChange: set(key), error: form.errors[key] }),
    /** The form-level message (FormAlert). */
    message: form.message,
    /** Create or save, and the way out: back to the list, or closing the dialog. */
    actions: (createLabel: string) => ({
      pending,
      submitLabel: props.mode === "create" ? createLabel : "Save changes",
      pendingLabel: props.mode === "create" ? "Creating…" : "Saving…",
      onCancel: props.mode === "edit" ? props.onCancel : undefined,
      cancelHref: props.mode === "create" ? path : undefined,
    }),
  };
}
