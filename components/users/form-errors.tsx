// How a form shows what went wrong: zod issues next to their fields, the
// server's problem detail (e.g. "This is the last active admin…") in an alert,
// with the request id an on-call engineer can grep the logs for.
// Also used by components/tokens (it would sit better in components/ui).
import type { z } from "zod";
import { ApiClientError } from "@/lib/api/client";

export type FieldErrors = Partial<Record<string, string>>;

/** The first message per top-level field. */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "");
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
