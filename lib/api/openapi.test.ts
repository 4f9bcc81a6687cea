// Protects: the OpenAPI document is valid 3.1 by a third-party validator, and
// every route says what it answers (a JSON body, no body, or an event stream),
// so the typed client (lib/api/client.ts) never types an answer as unknown.
import { describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { allRoutes, openApiDocument } from "@/lib/api/openapi";

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(openApiDocument("test") as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents the answer of every route", () => {
    const doc = openApiDocument("test") as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    };
    const missing: string[] = [];
    for (const spec of allRoutes()) {
      const status = String(spec.status ?? 200);
      const answer = doc.paths[spec.path]![spec.method.toLowerCase()]!.responses[status]!;
      if (status === "204") {
        expect(answer.content, `${spec.method} ${spec.path}`).toBeUndefined();
        continue;
      }
      const schema = Object.values(answer.content ?? {})[0]?.schema as Record<string, unknown> | undefined;
      // An empty schema ({}) accepts anything: the route has not said what it answers.
      if (!schema || Object.keys(schema).filter((k) => k !== "$schema").length === 0) missing.push(`${spec.method} ${spec.path}`);
    }
    expect(missing).toEqual([]);
  });
});
