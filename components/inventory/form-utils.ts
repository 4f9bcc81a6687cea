// Shared by the inventory forms: turning text inputs into the JSON the API
// takes, collecting server errors per field (zod's: components/ui/form-errors),
// and putting the focus on the first field that needs attention.
import { useEffect, useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import type { FieldErrors } from "@/components/ui/form-errors";

/** "" stays "" (so "required" can be told apart from "not a number"), anything else becomes a number. */
export function parseNumber(raw: string): number {
  const text = raw.trim();
  return text === "" ? Number.NaN : Number(text);
}

/**
 * A clearer message than the schema's for a number input, or undefined when
 * the text is a whole number in range. The schema still decides; this only
 * words the answer for a person.
 */
export function numberMessage(raw: string, label: string, min: number, max: number): string | undefined {
  const text = raw.trim();
  if (text === "") return `Enter a ${label.toLowerCase()} (${min.toLocaleString("en")} to ${max.toLocaleString("en")})`;
  const n = Number(text);
  if (!/^[+-]?\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) return `${label} must be a number`;
  if (!Number.isInteger(n)) return `${label} must be a whole number`;
  if (n < min || n > max) return `${label} must be between ${min.toLocaleString("en")} and ${max.toLocaleString("en")}`;
  return undefined;
}

/** Optional URL input: blank means "no agent". */
export function optionalText(raw: string): string | null {
  const text = raw.trim();
  return text === "" ? null : text;
}

/** The keys of next whose value differs from initial: a PATCH sends only these. */
export function changedFields<T extends Record<string, unknown>>(initial: T, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (!Object.is(initial[key], next[key])) out[key] = next[key];
  }
  return out;
}

/**
 * A failed request as the form shows it: field messages from the problem's
 * `errors`, the rest as one sentence. A 409 about a unique value is pinned to
 * its field: from the detail when it names the field ("Another record already
 * has this name"), else from `conflict`, the form's own reading of a bare 409.
 */
export function requestErrors(
  error: unknown,
  fields: readonly string[],
  conflict?: { fields?: FieldErrors; message?: string },
): { fields: FieldErrors; message: string } {
  if (!(error instanceof ApiClientError)) {
    return { fields: {}, message: "The console could not be reached. Check your connection and try again." };
  }
  if (error.status === 403) return { fields: {}, message: "Your role may not change the inventory. Ask an admin." };
  const detail = error.problem.detail ?? error.problem.title;
  const found: FieldErrors = {};
  for (const [key, message] of Object.entries(error.fieldErrors)) if (fields.includes(key)) found[key] = message;
  let message = detail;
  if (error.status === 409) {
    const named = /already has this (.+)$/.exec(detail)?.[1]?.split(/,\s*/) ?? [];
    for (const name of named) if (fields.includes(name)) found[name] ??= conflict?.fields?.[name] ?? detail;
    const unique = named.length > 0 || /already exists/.test(detail);
    if (unique && conflict) {
      if (named.length === 0) for (const [k, v] of Object.entries(conflict.fields ?? {})) if (v) found[k] ??= v;
      if (conflict.message) message = conflict.message;
    }
  }
  const unplaced = Object.entries(error.fieldErrors).filter(([key]) => !fields.includes(key));
  if (unplaced.length > 0) return { fields: found, message: `${detail} (${unplaced.map(([k, m]) => `${k}: ${m}`).join("; ")})` };
  // The fields say it; the banner only points at them.
  if (Object.keys(found).length > 0 && message === detail) message = "Check the highlighted fields.";
  return { fields: found, message };
}

/**
 * Errors plus "focus the first invalid field after the form re-renders", so
 * the message is already wired to the control (aria-describedby) when a
 * screen reader lands on it.
 */
export function useFormErrors(order: readonly string[], formRef: React.RefObject<HTMLFormElement | null>) {
  const [errors, setErrorsState] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [focusToken, setFocusToken] = useState(0);

  useEffect(() => {
    if (focusToken === 0) return;
    const form = formRef.current;
    if (!form) return;
    const first = order.find((name) => errors[name]);
    const target = first ? form.elements.namedItem(first) : null;
    if (target instanceof HTMLElement) target.focus();
    else form.querySelector<HTMLElement>("[data-form-alert]")?.focus();
    // Only a new failed submit moves the focus, not every keystroke.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusToken]);

  return {
    errors,
    message,
    /** Show these errors and move the focus to the first one. */
    fail(fields: FieldErrors, formMessage: string | null = null) {
      setErrorsState(fields);
      setMessage(formMessage);
      setFocusToken((t) => t + 1);
    },
    clear() {
      setErrorsState({});
      setMessage(null);
    },
    /** Forget one field's error once the person edits it. */
    clearField(name: string) {
      setErrorsState((e) => (e[name] ? { ...e, [name]: undefined } : e));
    },
  };
}

/** Replaces the schema's message with a clearer one, only for fields the schema rejected. */
export function reword(errors: FieldErrors, wording: FieldErrors): FieldErrors {
  const out = { ...errors };
  for (const [key, message] of Object.entries(wording)) if (out[key] && message) out[key] = message;
  return out;
}
