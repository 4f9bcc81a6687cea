// Protects: the role → permission table at the HTTP boundary. Every route in
// the contract is called as anonymous, viewer, operator and admin; the
// expected answer comes from lib/auth/permissions.ts, so a route whose rule
// is wrong, or a route file with no contract entry, fails here.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { allRoutes } from "@/lib/api/openapi";
import { can } from "@/lib/auth/permissions";
import type { RouteSpec } from "@/lib/api/spec";
import { apiAs, tokenFor } from "../helpers";
import { E2E } from "../env";

const missingId = "zzzznotfound000000000000";
const roles = ["ANONYMOUS", "VIEWER", "OPERATOR", "ADMIN"] as const;

function concretePath(spec: RouteSpec) {
  return spec.path.replace(/\{[^}]+\}/g, missingId);
}

function expectedDenial(spec: RouteSpec, role: (typeof roles)[number]): 401 | 403 | null {
  if (spec.access === "public") return null;
  if (role === "ANONYMOUS") return 401;
  if (spec.access === "authenticated") return null;
  return can(role, spec.access) ? null : 403;
}

/** Every exported method of every route.ts under app/api/v1, as "METHOD /api/v1/path/{param}". */
function routeFileMethods(): string[] {
  const root = path.resolve("app/api/v1");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const urlPath =
          "/api/v1/" +
          path
            .relative(root, dir)
            .split(path.sep)
            .map((s) => s.replace(/^\[(.+)\]$/, "{$1}"))
            .join("/");
        const source = fs.readFileSync(full, "utf8");
        for (const m of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) out.push(`${m[1]} ${urlPath.replace(/\/$/, "")}`);
      }
    }
  };
  walk(root);
  return out.sort();
}

test("every route file is in the contract, and every contract entry has a route file", () => {
  const contract = allRoutes()
    .map((r) => `${r.method} ${r.path}`)
    .sort();
  expect(routeFileMethods()).toEqual(contract);
});

/** The event stream never ends: read its status and headers, then hang up. */
async function openStream(role: (typeof roles)[number]) {
  const abort = new AbortController();
  const res = await fetch(`${E2E.baseURL}/api/v1/stream`, {
    headers: role === "ANONYMOUS" ? {} : { authorization: `Bearer ${tokenFor(role)}` },
    signal: abort.signal,
  });
  const body = res.headers.get("content-type")?.includes("event-stream") ? "" : await res.text();
  abort.abort();
  return {
    status: () => res.status,
    headers: () => Object.fromEntries(res.headers),
    json: async () => JSON.parse(body),
  };
}

for (const spec of allRoutes()) {
  test(`${spec.method} ${spec.path} answers each role as the permission table says`, async () => {
    for (const role of roles) {
      const api = await apiAs(role);
      const res =
        spec.path === "/api/v1/stream"
          ? await openStream(role)
          : await api.fetch(concretePath(spec), {
              method: spec.method,
              headers: spec.body ? { "content-type": "application/json" } : {},
              data: spec.body ? Buffer.from("{}") : undefined,
            });
      const denial = expectedDenial(spec, role);
      const label = `${role} ${spec.method} ${spec.path} → ${res.status()}`;
      if (denial) {
        expect(res.status(), label).toBe(denial);
        expect(res.headers()["content-type"], label).toContain("application/problem+json");
        const problem = await res.json();
        expect(problem.status, label).toBe(denial);
        expect(problem.requestId, label).toBeTruthy();
      } else {
        expect([401, 403], label).not.toContain(res.status());
        expect(res.status(), label).toBeLessThan(500);
      }
      await api.dispose();
    }
  });
}
