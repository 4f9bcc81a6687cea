// Protects: the typed client builds URLs from the contract (parameters
// encoded, empty query values left out, a missing parameter refused before
// any request), and its types require what a route requires: tsc checks the
// expected-error lines below, so a looser CallInput fails the typecheck.
import { describe, expect, it } from "vitest";
import { callApi, routeUrl } from "@/lib/api/client";
import { api } from "@/lib/api/contract";

describe("routeUrl", () => {
  it("fills path parameters, encoded, and adds the query without empty values", () => {
    expect(routeUrl(api.nodes.get, { id: "abc123def" })).toBe("/api/v1/nodes/abc123def");
    expect(routeUrl(api.poolMembers.update, { id: "lb1/..", nodeId: "n 1" })).toBe(
      "/api/v1/load-balancers/lb1%2F..%2Fmembers/n%201".replace("%2Fmembers", "/members"),
    );
    expect(routeUrl(api.nodes.list, undefined, { page: 2, q: "", clusterId: undefined })).toBe("/api/v1/nodes?page=2");
  });

  it("refuses a missing path parameter instead of calling /nodes/undefined", () => {
    expect(() => routeUrl(api.nodes.get, {})).toThrow(/missing path parameter 'id'/);
    expect(() => routeUrl(api.nodes.get, { id: "" })).toThrow(/missing path parameter 'id'/);
  });
});

// Never called: its only job is to be typechecked.
export async function typeChecks() {
  await callApi(api.nodes.get, { params: { id: "x" } });
  // @ts-expect-error a route with path parameters needs them
  await callApi(api.nodes.get);
  // @ts-expect-error a parameter the route does not have
  await callApi(api.nodes.get, { params: { nodeId: "x" } });
  await callApi(api.summary);
  await callApi(api.nodes.list);
  await callApi(api.nodes.list, { query: { page: 2 } });
  // @ts-expect-error a body with required fields must be given
  await callApi(api.clusters.create, {});
  await callApi(api.clusters.create, { body: { name: "a" } });
  // @ts-expect-error a query with required fields must be given
  await callApi(api.metrics);
  await callApi(api.metrics, { query: { subjectType: "NODE", range: "15m" } });
}
