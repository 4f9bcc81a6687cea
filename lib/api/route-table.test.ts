// Protects: proxy.ts answers for the API what Next would get wrong — a path no
// route has (Next: its HTML 404 page), a method the route does not take (an
// empty 405), a path that does not percent-decode (a 500 while decoding the
// route's parameters) — and lets every contract route through.
import { describe, expect, it } from "vitest";
import { allRoutes } from "@/lib/api/openapi";
import { matchApiRoute } from "@/lib/api/route-table";

describe("matchApiRoute", () => {
  it("lets every contract route and method through, with HEAD for GETs and OPTIONS everywhere", () => {
    for (const r of allRoutes()) {
      const path = r.path.replace(/\{[^}]+\}/g, "cabc123def456");
      expect(matchApiRoute(path, r.method), `${r.method} ${path}`).toEqual({ kind: "ok" });
      expect(matchApiRoute(path, "OPTIONS")).toEqual({ kind: "ok" });
      if (r.method === "GET") expect(matchApiRoute(path, "HEAD")).toEqual({ kind: "ok" });
    }
    // One trailing slash: Next redirects it to the route.
    expect(matchApiRoute("/api/v1/nodes/", "GET")).toEqual({ kind: "ok" });
  });

  it("names the methods a known path takes", () => {
    expect(matchApiRoute("/api/v1/nodes", "PUT")).toEqual({ kind: "method-not-allowed", allow: ["GET", "HEAD", "OPTIONS", "POST"] });
    expect(matchApiRoute("/api/v1/health", "DELETE")).toEqual({ kind: "method-not-allowed", allow: ["GET", "HEAD", "OPTIONS"] });
    expect(matchApiRoute("/api/v1/tokens/abc", "PROPFIND")).toEqual({ kind: "method-not-allowed", allow: ["DELETE", "OPTIONS"] });
  });

  it("does not know paths outside the contract", () => {
    for (const path of [
      "/api",
      "/api/v1",
      "/api/v2/nodes",
      "/api/v1/nope",
      "/api/v1/nodes/a/b",
      "/api/v1/nodes;x=1",
      "/api/v1/openapi.json/x",
      "/api/v1/openapiXjson",
      "/api/v1/config/targets/nodes",
    ]) {
      expect(matchApiRoute(path, "GET"), path).toEqual({ kind: "not-found" });
    }
  });

  it("refuses a path whose percent-encoding does not decode", () => {
    for (const path of ["/api/v1/nodes/%E0%A4%A", "/api/v1/%", "/api/v1/nodes/%zz", "/api/v1/nope/%C0"]) {
      expect(matchApiRoute(path, "GET"), path).toEqual({ kind: "bad-encoding" });
    }
    expect(matchApiRoute("/api/v1/nodes/%41bc", "GET")).toEqual({ kind: "ok" });
  });
});
