// The browser's way to call the API: a route of the contract and its inputs,
// typed from the route's own schemas, and the answer typed from its response
// schema. No URL is written by hand outside lib/api/contract.ts.
//
//   const node = await callApi(api.nodes.get, { params: { id } });
//   const op = await callApi(api.nodeActions.drain, { params: { id }, body: { reason, deadlineSeconds } });
import type { z } from "zod";
import { apiFetch, qs } from "@/lib/http/client";
import type { RouteAnswer, RouteSpec } from "@/lib/api/spec";

/** True when every key of T may be left out (a query of defaults, a body of optional fields). */
type AllOptional<T> = Partial<T> extends T ? true : false;

type Part<S, K extends "params" | "query" | "body"> = S extends { [P in K]: infer T extends z.ZodType }
  ? AllOptional<z.input<T>> extends true
    ? { [P in K]?: z.input<T> }
    : { [P in K]: z.input<T> }
  : { [P in K]?: never };

export type CallInput<S extends RouteSpec> = Part<S, "params"> &
  Part<S, "query"> &
  Part<S, "body"> & {
    signal?: AbortSignal;
    /** Extra request headers, e.g. Idempotency-Key. */
    headers?: Record<string, string>;
  };

/** The route's path with its parameters filled in, and its query string. */
export function routeUrl(spec: RouteSpec, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === "") throw new Error(`${spec.method} ${spec.path}: missing path parameter '${name}'`);
    return encodeURIComponent(String(value));
  });
  return path + qs((query ?? {}) as Parameters<typeof qs>[0]);
}

export function callApi<S extends RouteSpec>(
  spec: S,
  ...[input]: AllOptional<CallInput<S>> extends true ? [CallInput<S>?] : [CallInput<S>]
): Promise<RouteAnswer<S>> {
  const { params, query, body, signal, headers } = (input ?? {}) as {
    params?: object;
    query?: object;
    body?: unknown;
    signal?: AbortSignal;
    headers?: Record<string, string>;
  };
  return apiFetch<RouteAnswer<S>>(routeUrl(spec, params as Record<string, unknown>, query as Record<string, unknown>), {
    method: spec.method,
    // A route with a body schema reads a JSON object even when every field is optional.
    body: spec.body && body === undefined ? {} : body,
    signal,
    headers,
  });
}
