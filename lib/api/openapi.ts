// The OpenAPI 3.1 document, generated from the same zod schemas the handlers
// validate with (z.toJSONSchema), so it cannot drift from what is enforced.
import { z } from "zod";
import { api } from "@/lib/api/contract";
import type { HttpMethod, RouteAnswer, RouteSpec } from "@/lib/api/spec";

/** The document as GET /api/v1/openapi.json answers it (its response schema, in lib/api/contract.ts). */
export type OpenApiDocument = RouteAnswer<typeof api.openapi>;
type Operation = NonNullable<OpenApiDocument["paths"][string][Lowercase<HttpMethod>]>;

export function allRoutes(): RouteSpec[] {
  const out: RouteSpec[] = [];
  const walk = (node: unknown) => {
    if (node && typeof node === "object" && "method" in node && "path" in node) out.push(node as RouteSpec);
    else if (node && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(api);
  return out;
}

const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

function parameters(spec: RouteSpec): Operation["parameters"] {
  const params: Operation["parameters"] = [];
  for (const [where, schema] of [
    ["path", spec.params],
    ["query", spec.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      params.push({ name, in: where, required: where === "path" || (js.required ?? []).includes(name), schema: prop });
    }
  }
  return params;
}

function answerContent(spec: RouteSpec): { content?: Record<string, { schema: unknown }> } {
  if ("produces" in spec) {
    return { content: { [spec.produces]: { schema: { type: "string", description: "Server-Sent Events: event (with id), metrics, changed, resync, end" } } } };
  }
  return spec.response ? { content: { "application/json": { schema: jsonSchema(spec.response, "output") } } } : {};
}

export function openApiDocument(version: string): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const spec of allRoutes()) {
    const status = String(spec.status ?? 200);
    const access = spec.access === "public" ? "none" : spec.access === "authenticated" ? "any signed-in role" : `permission ${spec.access}`;
    const operation: Operation = {
      summary: spec.summary,
      description: `Requires: ${access}.`,
      tags: [spec.tag],
      parameters: parameters(spec),
      security: spec.access === "public" ? [] : [{ bearer: [] }, { session: [] }],
      responses: {
        [status]: { description: status === "204" ? "Done; no body" : "Success", ...answerContent(spec) },
        default: { description: "Error", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
    };
    if (spec.body) {
      operation.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input") } } };
    }
    (paths[spec.path] ??= {})[spec.method.toLowerCase() as Lowercase<HttpMethod>] = operation;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Clusterdeck API", version },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API token (cdk_…)" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
      schemas: {
        Problem: {
          type: "object",
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            requestId: { type: "string" },
            code: {
              type: "string",
              description:
                "What to match on. A refusal by the service: bad_request, forbidden, not_found, conflict, gone, invalid, unavailable. Otherwise the title's: unauthorized, payload_too_large, …",
            },
            errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
          },
          required: ["type", "title", "status", "code"],
        },
      },
    },
  };
}
