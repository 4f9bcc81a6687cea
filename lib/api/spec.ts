// What a route is: method, path, who may call it, and the zod schemas for
// its input and output. Handlers are built from it (lib/api/handler.ts) and
// the OpenAPI document is generated from the same objects (lib/api/openapi.ts).
import type { z } from "zod";
import type { Permission } from "@/lib/auth/permissions";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type RouteSpec = {
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
  response?: z.ZodType;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** Largest body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
};

export function route<const S extends RouteSpec>(spec: S): S {
  return spec;
}
