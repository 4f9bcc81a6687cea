// RFC 9457 problem details. Route handlers throw ApiError; the wrapper turns
// it (and Prisma's known errors) into application/problem+json. Kept free of
// server-only imports: proxy.ts answers unknown routes with the same shape.
import { toJson } from "@/lib/api/json";
import { PROBLEM_CONTENT_TYPE, problemShape } from "@/lib/api/problem-shape.mjs";

export type ProblemField = { path: string; message: string };

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
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

export const badRequest = (detail: string, extra?: Record<string, unknown>) => new ApiError(400, "Bad request", detail, extra);
export const unauthorized = (detail = "Sign in or send 'Authorization: Bearer <token>'") => new ApiError(401, "Unauthorized", detail);
export const forbidden = (detail = "Your role does not allow this action") => new ApiError(403, "Forbidden", detail);
export const notFound = (what: string) => new ApiError(404, "Not found", `${what} does not exist`);
export const conflict = (detail: string, extra?: Record<string, unknown>) => new ApiError(409, "Conflict", detail, extra);
export const unprocessable = (detail: string, errors: ProblemField[] = []) => new ApiError(422, "Validation failed", detail, { errors });

export function problemBody(error: ApiError, requestId: string): Problem {
  return problemShape(error.status, error.title, error.detail, requestId, error.extra);
}

export function problemResponse(error: ApiError, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  const headers: Record<string, string> = {
    "content-type": PROBLEM_CONTENT_TYPE,
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...extraHeaders,
  };
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="clusterdeck"';
  return new Response(toJson(problemBody(error, requestId)), { status: error.status, headers });
}
