// What a route is: method, path, who may call it, and the zod schemas for
// its input and output. Handlers are built from it (lib/api/handler.ts), the
// OpenAPI document is generated from the same objects (lib/api/openapi.ts),
// and the browser calls routes through it (lib/api/client.ts).
import type { z } from "zod";
import type { Permission } from "@/lib/auth/permissions";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

type RouteBase = {
  method: HttpMethod;
  /** OpenAPI form, e.g. /api/v1/nodes/{id} */
  path: string;
  summary: string;
  tag: string;
  /** "public" needs no caller; "authenticated" any signed-in role; otherwise the permission. */
  access: "public" | "authenticated" | Permission;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Largest body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
};

/**
 * Every route says what it answers: a JSON body described by `response` (the
 * wire form: dates and bigints as strings), no body (204), or a stream of
 * Server-Sent Events.
 */
export type RouteSpec = RouteBase &
  (
    | { response: z.ZodType; /** Status of a successful answer (default 200). */ status?: 200 | 201 | 202 }
    | { response?: undefined; status: 204 }
    | { response?: undefined; status?: 200; produces: "text/event-stream" }
  );

export function route<const S extends RouteSpec>(spec: S): S {
  return spec;
}

/** What a successful call answers, on the wire (JSON). */
export type RouteAnswer<S extends RouteSpec> = S extends { response: infer R extends z.ZodType } ? z.output<R> : S extends { status: 204 } ? void : never;

/**
 * What a handler may return for a route: the wire form with Date and bigint
 * allowed where the wire has a string (toJson writes them as strings), or a
 * Response it builds itself (streams).
 */
export type ServerAnswer<S extends RouteSpec> = S extends { produces: "text/event-stream" }
  ? Response
  : S extends { status: 204 }
    ? unknown
    : ServerForm<RouteAnswer<S>> | Response;

export type ServerForm<T> = T extends string
  ? string extends T
    ? string | Date | bigint
    : T
  : T extends readonly (infer U)[]
    ? readonly ServerForm<U>[]
    : T extends object
      ? { [K in keyof T]: ServerForm<T[K]> }
      : T;
