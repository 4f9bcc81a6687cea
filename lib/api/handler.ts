// The one route-handler wrapper. In order: request id, caller (API token or
// session cookie), role check (fail closed), Origin check for cookie
// mutations, which then count as the user's activity on the session, input
// parsing (size, JSON, zod), the handler, and the answer as JSON or
// problem+json. A refused mutation and a server error are audited.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Actor } from "@/lib/common/actor";
import { can } from "@/lib/auth/permissions";
import { requestActor } from "@/lib/sign-in/session";
import { clientIpFrom } from "@/lib/auth/client-ip";
import { touchSession } from "@/lib/sessions/service";
import { signOutCode } from "@/lib/sessions/policy";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import { log } from "@/lib/log";
import { countRequest } from "@/lib/telemetry/web-metrics";
import { ApiError, asApiError, fromDomainError, problemResponse, unauthorized, type ProblemField } from "@/lib/http/problem";
import { badRequest, conflict, forbidden, notFound, unprocessable, type DomainError } from "@/lib/common/errors";
import { badTextMessage, findBadText, parseUntrustedJson } from "@/lib/agent-protocol/json";
import { toJson } from "@/lib/http/json";
import type { RouteSpec, ServerAnswer } from "@/lib/api/spec";

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export type HandlerContext<S extends RouteSpec> = {
  req: Request;
  requestId: string;
  clientIp: string | null;
  actor: S["access"] extends "public" ? Actor | null : Actor;
  params: Infer<S["params"]>;
  query: Infer<S["query"]>;
  body: Infer<S["body"]>;
  /** Hand this to a service function: it writes the audit entry in the change's transaction. */
  audit: AuditContext;
};

type Segment = { params?: Promise<Record<string, string | string[] | undefined>> };

const DEFAULT_MAX_BODY = 64 * 1024;

export function handler<S extends RouteSpec>(spec: S, fn: (ctx: HandlerContext<S>) => Promise<ServerAnswer<S>>) {
  const answer = async (req: Request, segment?: Segment): Promise<Response> => {
    const requestId = requestIdFrom(req);
    const clientIp = clientIpFrom(req.headers);
    let actor: Actor | null = null;
    try {
      const caller = await requestActor(req.headers);
      if ("error" in caller) throw unauthorized(caller.error);
      actor = caller.actor;
      const viaCookie = caller.via === "cookie";
      if (spec.access !== "public") {
        if (!actor && caller.ended) {
          // The page's client sends its user to sign in, saying why (lib/http/client.ts).
          const sessionEnded = signOutCode(caller.ended);
          throw new ApiError(401, "Unauthorized", `Your session has ended (${sessionEnded}); sign in again`, { sessionEnded });
        }
        if (!actor) throw unauthorized();
        if (spec.access !== "authenticated" && !can(actor.role, spec.access)) {
          throw forbidden(`Role ${actor.role} may not perform '${spec.access}'`);
        }
      }
      // A wall display only ever reads, whatever the route (public ones too) or the role table says.
      if (actor?.type === "USER" && actor.display && spec.method !== "GET") throw forbidden("A wall display is read-only");
      if (viaCookie && spec.method !== "GET") {
        checkOrigin(req);
        // A change made from a page is the user at work; a refused cross-site one is not.
        if (actor?.type === "USER" && actor.sessionId) await touchSession(actor.sessionId);
      }

      const rawParams = (await segment?.params) ?? {};
      const badParam = findBadText(rawParams, "path");
      if (badParam) throw badRequest(badTextMessage(badParam), { errors: [{ path: badParam.path, message: badTextMessage(badParam) }] });
      const params = parseInput(spec.params, rawParams, "path", 400);
      const query = parseInput(spec.query, queryObject(new URL(req.url).searchParams), "query", 400);
      const body = spec.body ? parseInput(spec.body, await readJsonBody(req, spec.maxBodyBytes ?? DEFAULT_MAX_BODY), "body", 422) : await refuseBody(req);

      const audit: AuditContext = { actor: actor as Actor, requestId, clientIp };
      const result = await fn({ req, requestId, clientIp, actor: actor as never, params, query, body, audit } as HandlerContext<S>);
      return respond(spec, result, requestId);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) {
        log.error(error instanceof AnswerMismatch ? "api.answer-invalid" : "api.error", {
          requestId,
          route: `${spec.method} ${spec.path}`,
          error: String(error),
        });
      }
      await auditRefusal(spec, apiError, actor, requestId, clientIp);
      return problemResponse(apiError, requestId);
    }
  };
  return async (req: Request, segment?: Segment): Promise<Response> => {
    const response = await answer(req, segment);
    countRequest(spec.method, spec.path, response.status);
    return response;
  };
}

function requestIdFrom(req: Request): string {
  const given = req.headers.get("x-request-id");
  return given && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
}

function respond(spec: RouteSpec, result: unknown, requestId: string): Response {
  if (result instanceof Response) {
    result.headers.set("x-request-id", requestId);
    return result;
  }
  const status = spec.status ?? 200;
  if (status === 204) return new Response(null, { status, headers: { "x-request-id": requestId } });
  const json = toJson(result);
  if (spec.response && env().CLUSTERDECK_CHECK_RESPONSES) checkAnswer(spec.response, json);
  return new Response(json, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId },
  });
}

/**
 * Tests and development: an answer that does not match its route's response
 * schema is a server bug, refused with 500 so the suite sees it. The detail
 * (logged as api.answer-invalid) names the fields, never their values.
 */
function checkAnswer(schema: z.ZodType, json: string): void {
  const checked = schema.safeParse(JSON.parse(json));
  if (checked.success) return;
  const issues = checked.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(answer)"}: ${i.message}`);
  throw new AnswerMismatch(`The answer does not match this route's response schema: ${issues.join("; ")}`);
}

class AnswerMismatch extends ApiError {
  constructor(detail: string) {
    super(500, "Internal server error", detail);
  }
}

/** Cookie-authenticated mutations must come from our own pages. */
function checkOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (!origin) {
    if (req.headers.get("sec-fetch-site") === "same-origin") return;
    throw forbidden("Cross-site request refused: a cookie-authenticated change needs an Origin header from this console");
  }
  // X-Forwarded-Host is the front server's pick from a trusted proxy's chain; without a trusted proxy it is not believed.
  const host = (env().CLUSTERDECK_TRUST_PROXY > 0 && req.headers.get("x-forwarded-host")) || req.headers.get("host");
  const trusted = env()
    .CLUSTERDECK_TRUSTED_ORIGINS.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = null;
  }
  if ((originHost && originHost === host) || trusted.includes(origin)) return;
  throw forbidden(`Cross-site request refused: origin ${origin} is not this console`);
}

function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    const bad = findBadText({ [key]: value }, "query");
    if (bad) throw badRequest(badTextMessage(bad), { errors: [{ path: bad.path, message: badTextMessage(bad) }] });
    if (key in out) throw badRequest(`Query parameter '${key}' is given more than once`);
    out[key] = value;
  }
  return out;
}

function parseInput<T extends z.ZodType | undefined>(schema: T, input: unknown, where: string, status: 400 | 422): Infer<T> {
  if (!schema) {
    if (where === "query" && input && Object.keys(input as object).length > 0) {
      throw badRequest(`Unknown query parameter(s): ${Object.keys(input as object).join(", ")}`);
    }
    return undefined as Infer<T>;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data as Infer<T>;
  const errors: ProblemField[] = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const detail =
    `Invalid ${where}: ` +
    errors
      .slice(0, 5)
      .map((e) => `${e.path}: ${e.message}`)
      .join("; ");
  throw status === 422 ? unprocessable(detail, errors) : badRequest(detail, { errors });
}

/** The body as text, refused with 413 past maxBytes (declared or streamed). */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new ApiError(413, "Payload too large", `Body is ${declared} bytes; the limit is ${maxBytes}`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ApiError(413, "Payload too large", `Body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError(415, "Unsupported media type", "Send the body as JSON with 'Content-Type: application/json'");
  }
  const text = await readBodyText(req, maxBytes);
  if (text.trim() === "") throw badRequest("The request body is empty; this endpoint expects a JSON object");
  const parsed = parseUntrustedJson(text, "body");
  if (!parsed.ok) {
    const { kind, where, message } = parsed.refusal;
    throw badRequest(message, kind === "syntax" ? undefined : { errors: [{ path: where, message }] });
  }
  return parsed.value;
}

async function refuseBody(req: Request): Promise<undefined> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const text = await readBodyText(req, DEFAULT_MAX_BODY);
  if (text.trim() !== "" && text.trim() !== "{}") throw badRequest("This endpoint takes no request body");
  return undefined;
}

function toApiError(error: unknown): ApiError {
  const known = asApiError(error);
  if (known) return known;
  const refusal = error instanceof Prisma.PrismaClientKnownRequestError ? prismaRefusal(error) : null;
  if (refusal) return fromDomainError(refusal);
  return new ApiError(500, "Internal server error", "Something went wrong on our side; the request id identifies it in the logs");
}

/** Prisma's failures a person can act on; null for the rest (answered 500). */
function prismaRefusal(error: Prisma.PrismaClientKnownRequestError): DomainError | null {
  if (error.code === "P2002") {
    const fields = uniqueFields(error);
    if (fields.length === 0) return conflict("A record with these values already exists");
    return conflict(`Another record already has this ${fields.join(" and ")}`, {
      errors: fields.map((f) => ({ path: `body.${f}`, message: `Already in use` })),
    });
  }
  if (error.code === "P2025") return notFound("The record");
  if (error.code === "P2003") return conflict("The record is still referenced by others; remove those first");
  return null;
}

/** The columns of the violated unique index, less clusterId (names are unique per cluster). */
function uniqueFields(error: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = error.meta as Record<string, unknown> | undefined;
  if (Array.isArray(meta?.target)) return (meta.target as string[]).filter((f) => f !== "clusterId");
  // With a driver adapter only the index name comes back: "<Model>_<col>_<col>_key".
  const cause = (meta?.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] }; table?: string } } | undefined)?.cause;
  const fields = cause?.constraint?.fields?.map((f) => f.replaceAll('"', ""));
  if (fields) return fields.filter((f) => f !== "clusterId");
  const index = cause?.constraint?.index;
  const table = cause?.table;
  if (index && table && index.startsWith(`${table}_`) && index.endsWith("_key")) {
    return index
      .slice(table.length + 1, -"_key".length)
      .split("_")
      .filter((f) => f !== "clusterId");
  }
  return [];
}

async function auditRefusal(spec: RouteSpec, error: ApiError, actor: Actor | null, requestId: string, clientIp: string | null) {
  if (spec.method === "GET" || !actor) return;
  if (error.status !== 403 && error.status < 500) return;
  try {
    await recordAudit(
      db,
      { actor, requestId, clientIp },
      {
        action: `${spec.method} ${spec.path}`,
        targetType: "SYSTEM",
        outcome: error.status === 403 ? "DENIED" : "FAILURE",
        summary: { status: error.status, detail: error.detail ?? error.title },
      },
    );
  } catch (auditError) {
    log.error("audit.write-failed", { requestId, error: String(auditError) });
  }
}
