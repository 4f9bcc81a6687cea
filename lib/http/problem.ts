// RFC 9457 problem details. Services throw domain errors (lib/common/errors.ts);
// the HTTP layer throws ApiError for what only it knows (401, 413, 415, 500).
// The API handler turns both (and Prisma's known errors) into
// application/problem+json, always with a machine-readable `code`. Kept free
// of server-only imports: proxy.ts answers unknown routes with the same shape.
import { toJson } from "@/lib/http/json";
import { PROBLEM_CONTENT_TYPE, problemShape } from "@/lib/http/problem-shape.mjs";
import { DomainError, type DomainErrorCode, type FieldProblem } from "@/lib/common/errors";

export type ProblemField = FieldProblem;

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  /** What machines match on: a domain error's code, or the HTTP layer's ("unauthorized", "payload_too_large"). */
  code: string;
  errors?: ProblemField[];
  [extra: string]: unknown;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const unauthorized = (detail = "Sign in or send 'Authorization: Bearer <token>'") => new ApiError(401, "Unauthorized", detail);

const domainStatus: Record<DomainErrorCode, [status: number, title: string]> = {
  bad_request: [400, "Bad request"],
  forbidden: [403, "Forbidden"],
  not_found: [404, "Not found"],
  conflict: [409, "Conflict"],
  gone: [410, "Gone"],
  invalid: [422, "Validation failed"],
  unavailable: [503, "Service unavailable"],
};

/** A domain error as the HTTP answer: its status, its title, and its code and details in the body. */
export function fromDomainError(error: DomainError): ApiError {
  const [status, title] = domainStatus[error.code];
  return new ApiError(status, title, error.detail, { ...error.details, code: error.code });
}

/** Either kind of refusal as an ApiError; null for anything else (a bug: the caller answers 500). */
export function asApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return fromDomainError(error);
  return null;
}

export function problemBody(error: ApiError, requestId: string): Problem {
  return problemShape(error.status, error.title, error.detail, requestId, error.extra);
}

export function problemResponse(refusal: ApiError | DomainError, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  const error = refusal instanceof DomainError ? fromDomainError(refusal) : refusal;
  const headers: Record<string, string> = {
    "content-type": PROBLEM_CONTENT_TYPE,
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...extraHeaders,
  };
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="clusterdeck"';
  return new Response(toJson(problemBody(error, requestId)), { status: error.status, headers });
}
