// What a domain service throws when it refuses: a code machines match on
// (API clients, tests, the handler), a sentence for people, and details (the
// fields at fault, the operation in the way). Services know nothing of HTTP:
// the API handler (lib/api/handler.ts, through lib/http/problem.ts) turns the
// code into a status and a problem+json body that carries the code.

export const DOMAIN_ERROR_CODES = ["bad_request", "forbidden", "not_found", "conflict", "gone", "invalid", "unavailable"] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** A field at fault, by its path in the request ("body.name", "query.page"). */
export type FieldProblem = { path: string; message: string };

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly detail: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "DomainError";
  }
}

/** The request cannot be read as asked (a malformed header, a body where none belongs). */
export const badRequest = (detail: string, details?: Record<string, unknown>) => new DomainError("bad_request", detail, details);
export const forbidden = (detail = "Your role does not allow this action") => new DomainError("forbidden", detail);
export const notFound = (what: string) => new DomainError("not_found", `${what} does not exist`);
/** The state of things forbids it now (something else in progress, already done). */
export const conflict = (detail: string, details?: Record<string, unknown>) => new DomainError("conflict", detail, details);
/** Gone for good (a one-time link already used). */
export const gone = (detail: string) => new DomainError("gone", detail);
/** Well-formed but not acceptable: the fields at fault, and anything else that explains it. */
export const unprocessable = (detail: string, errors: FieldProblem[] = [], details: Record<string, unknown> = {}) =>
  new DomainError("invalid", detail, { errors, ...details });

/** Something it depends on cannot answer now (an agent asked to check a configuration): try again. */
export const unavailable = (detail: string) => new DomainError("unavailable", detail);

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
