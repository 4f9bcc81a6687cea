// Which /api/v1 paths and methods exist, from the contract. proxy.ts asks it
// before Next routes a request, so that an unknown path, a method a route does
// not take, or a path whose percent-encoding does not decode is answered as
// problem+json like every other API error — not with Next's HTML 404 page, an
// empty 405, or a 500 from decoding the route's parameters.
import { allRoutes } from "@/lib/api/openapi";

type Entry = { pattern: RegExp; methods: Set<string> };

let table: Entry[] | undefined;

function routeTable(): Entry[] {
  if (table) return table;
  const byPath = new Map<string, Set<string>>();
  for (const spec of allRoutes()) {
    const methods = byPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method);
    byPath.set(spec.path, methods);
  }
  table = [...byPath].map(([path, methods]) => {
    const source = path
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
      .join("");
    // Next answers HEAD for a GET and OPTIONS for every route by itself.
    if (methods.has("GET")) methods.add("HEAD");
    methods.add("OPTIONS");
    return { pattern: new RegExp(`^${source}$`), methods };
  });
  return table;
}

export type RouteMatch = { kind: "ok" } | { kind: "bad-encoding" } | { kind: "not-found" } | { kind: "method-not-allowed"; allow: string[] };

/** `pathname` as it arrived (still percent-encoded). */
export function matchApiRoute(pathname: string, method: string): RouteMatch {
  const segments = pathname.split("/");
  for (const segment of segments) {
    try {
      decodeURIComponent(segment);
    } catch {
      return { kind: "bad-encoding" };
    }
  }
  // Next drops one trailing slash with a redirect; match what it will route.
  const path = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  const entry = routeTable().find((e) => e.pattern.test(path));
  if (!entry) return { kind: "not-found" };
  if (!entry.methods.has(method.toUpperCase())) return { kind: "method-not-allowed", allow: [...entry.methods].sort() };
  return { kind: "ok" };
}
