// Protects: what a silent agent means for its subject (issue 16): any passing
// independent evidence keeps it "agent unreachable", never DOWN; no evidence
// or only failing evidence is DOWN; HAProxy's check counts only when it is
// conclusive and is the check of this node on a balancer of its cluster.
import { describe, expect, it } from "vitest";
import { judgeSilentAgent, loadBalancerEvidence, type LoadBalancerView } from "@/worker/agent-silence";

const agent = "agent at http://127.0.0.1:7000: no snapshot for 3500 ms (agent hung?)";
const server = (name: string, checkStatus: string, extra: Partial<LoadBalancerView["servers"][number]> = {}) => ({
  backend: "web",
  name,
  address: "127.0.0.1:8001",
  status: checkStatus.endsWith("OK") ? "UP" : "DOWN",
  adminState: "READY" as const,
  weight: 100,
  sessions: 0,
  totalSessions: 0,
  rate: 0,
  checkStatus,
  ...extra,
});
const lb = (name: string, clusterId: string, servers: LoadBalancerView["servers"]): LoadBalancerView => ({ name, clusterId, servers });
const node = { name: "app-1", clusterId: "c1" };

describe("judgeSilentAgent", () => {
  it("is UNREACHABLE while any evidence passes, naming what passes first", () => {
    const v = judgeSilentAgent(agent, [
      { source: "lb-1's health check", passes: true, detail: "web/app-1 L7OK (UP)" },
      { source: "lb-2's health check", passes: false, detail: "web/app-1 L4CON (DOWN)" },
    ]);
    expect(v).toEqual({ observed: "UNREACHABLE", reasons: ["agent unreachable; lb-1's health check still passes", agent] });
  });

  it("is DOWN when every piece of evidence fails, with each failure as a reason", () => {
    const v = judgeSilentAgent(agent, [{ source: "the worker's TCP probe of 127.0.0.1:5432", passes: false, detail: "connection refused" }]);
    expect(v).toEqual({ observed: "DOWN", reasons: [agent, "the worker's TCP probe of 127.0.0.1:5432: connection refused"] });
  });

  it("is DOWN when there is no evidence at all", () => {
    expect(judgeSilentAgent(agent, [])).toEqual({ observed: "DOWN", reasons: [agent] });
  });
});

describe("loadBalancerEvidence", () => {
  it("reads each balancer's last check of the node's server: L4/L6/L7 OK passes, other L4/L6/L7 results and socket errors fail", () => {
    const views = [lb("lb-1", "c1", [server("app-1", "L7OK"), server("app-2", "L7STS")]), lb("lb-2", "c1", [server("app-1", "L4CON")])];
    expect(loadBalancerEvidence(node, views)).toEqual([
      { source: "lb-1's health check", passes: true, detail: "web/app-1 L7OK (UP)" },
      { source: "lb-2's health check", passes: false, detail: "web/app-1 L4CON (DOWN)" },
    ]);
    expect(loadBalancerEvidence(node, [lb("lb-1", "c1", [server("app-1", "SOCKERR")])])[0]?.passes).toBe(false);
    expect(loadBalancerEvidence(node, [lb("lb-1", "c1", [server("app-1", "L6OK")])])[0]?.passes).toBe(true);
  });

  it("ignores inconclusive checks, servers in maintenance (checks off), other nodes and other clusters' balancers", () => {
    const views = [
      lb("lb-1", "c1", [server("app-1", "INI"), server("app-1", ""), server("app-1", "L7OK", { adminState: "MAINT" }), server("app-2", "L7OK")]),
      lb("lb-9", "c2", [server("app-1", "L7OK")]),
    ];
    expect(loadBalancerEvidence(node, views)).toEqual([]);
  });

  it("counts a drained server's check: HAProxy keeps checking a server in DRAIN", () => {
    const v = loadBalancerEvidence(node, [lb("lb-1", "c1", [server("app-1", "L7OK", { adminState: "DRAIN", status: "DRAIN" })])]);
    expect(v).toEqual([{ source: "lb-1's health check", passes: true, detail: "web/app-1 L7OK (DRAIN)" }]);
  });
});
