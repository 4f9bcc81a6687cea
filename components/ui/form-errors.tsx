// How a form shows what went wrong: zod issues next to their fields, the
// server's problem detail (e.g. "… is the last active ADMIN …") in an alert,
// with the request id an on-call engineer can grep the logs for.
import { useState } from "react";
import type { z } from "zod";
import { ApiClientError } from "@/lib/http/client";

export type FieldErrors = Record<string, string | undefined>;

/** The first message per top-level field; messages without a field go under "_form". */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : "_form";
    out[key] ??= issue.message;
  }
  return out;
}

export type SubmitError = { message: string; requestId?: string };

/**
 * Splits a failed request into errors for the form's own fields and a message
 * for the alert. Field errors the form has no place for go into the alert.
 */
export function describeError(error: unknown, formFields: readonly string[] = []): { fields: FieldErrors; alert: SubmitError | null } {
  if (!(error instanceof ApiClientError)) {
    return { fields: {}, alert: { message: "The request did not reach the server. Check your connection and try again." } };
  }
  const requestId = typeof error.problem.requestId === "string" ? error.problem.requestId : undefined;
  const fields: FieldErrors = {};
  const elsewhere: string[] = [];
  for (const [key, message] of Object.entries(error.fieldErrors)) {
    if (formFields.includes(key)) fields[key] = message;
    else elsewhere.push(`${key}: ${message}`);
  }
  if (Object.keys(fields).length > 0 && elsewhere.length === 0) {
    return { fields, alert: { message: "The server did not accept some fields; see the messages below them.", requestId } };
  }
  const message = elsewhere.length > 0 ? elsewhere.join("; ") : (error.problem.detail ?? error.problem.title ?? `Request failed (${error.status})`);
  return { fields, alert: { message, requestId } };
}

/** The messages of a dialog's form or confirmation: one per field, and the alert above them. */
export function useSubmitErrors(formFields: readonly string[] = []) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<SubmitError | null>(null);
  return {
    errors,
    alert,
    /** A new attempt: nothing to show yet. */
    clear() {
      setErrors({});
      setAlert(null);
    },
    /** The schema's verdict on a new attempt: its value, or null once its messages are shown (`reword` may make them clearer). */
    validate<T>(parsed: z.ZodSafeParseResult<T>, reword?: (errors: FieldErrors) => void): T | null {
      setAlert(null);
      if (!parsed.success) {
        const fieldErrors = zodFieldErrors(parsed.error);
        reword?.(fieldErrors);
        setErrors(fieldErrors);
        return null;
      }
      setErrors({});
      return parsed.data;
    },
    /** The request failed: the server's messages, placed (`adjust` may add the form's own reading). */
    failed(error: unknown, adjust?: (errors: FieldErrors) => void) {
      const { fields, alert: message } = describeError(error, formFields);
      adjust?.(fields);
      setErrors(fields);
      setAlert(message);
    },
  };
}

export function ErrorAlert({ error }: { error: SubmitError | null }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {error.message}
      {error.requestId && (
        <>
          {" "}
          <span className="mono">(request id {error.requestId})</span>
        </>
      )}
    </div>
  );
}
