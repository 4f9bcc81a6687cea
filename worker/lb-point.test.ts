// A load balancer's live point: requests (not connections) per second, and a
// stats table that always fits one NOTIFY.
import { describe, expect, it } from "vitest";
import { haproxyStatus, type HaproxyStatus } from "@/lib/agent-protocol/types";
import { MAX_NOTIFY_BYTES, chunkMetrics, loadBalancerPoint } from "@/lib/realtime/messages";
import { frontendRequestRate, loadBalancerPointFrom } from "./lb-point";

const errors = { connect: 0, response: 0, retries: 0, redispatches: 0, http5xx: 0 };
const status = (servers: number, frontendRates: (number | null)[]): HaproxyStatus =>
  haproxyStatus.parse({
    version: "2.6.12",
    configChecksum: null,
    servers: Array.from({ length: servers }, (_, i) => ({
      backend: "be_edge",
      name: `app-${i}-${"x".repeat(60)}`,
      address: "10.0.0.1:8080",
      status: "UP",
      adminState: "READY",
      weight: 100,
      sessions: 3,
      totalSessions: 1000,
      rate: 0,
      checkStatus: "L7OK",
      maxSessions: 9,
      requestRate: 12.5,
      checkDurationMs: 1,
      checkDetail: "Layer7 check passed: " + "y".repeat(150),
      sinceChangeSeconds: 60,
      errors,
    })),
    backends: [{ name: "be_edge", status: "UP", sessions: 3, maxSessions: 9, requestRate: 40, weight: 300, errors }],
    frontends: frontendRates.map((r, i) => ({ name: `fe${i}`, sessions: 1, rate: 0, requestRate: r })),
  });

describe("load balancer point", () => {
  it("request rate: the frontends' requests summed; null when none has a figure (not the connection rate)", () => {
    expect(frontendRequestRate(status(1, [20, 5]))).toBe(25);
    expect(frontendRequestRate(status(1, [null]))).toBeNull();
  });

  it("a small pool goes whole", () => {
    const p = loadBalancerPointFrom(status(3, [40]));
    expect(loadBalancerPoint.parse(p).servers).toHaveLength(3);
    expect(p.omitted).toBe(0);
    expect(p.servers[0]!.requestRate).toBe(12.5);
  });

  it("a large pool is cut to fit a NOTIFY, and says how many it left out", () => {
    const p = loadBalancerPointFrom(status(150, [40]));
    expect(p.servers.length).toBeGreaterThan(5);
    expect(p.servers.length + p.omitted).toBe(150);
    const [message, ...more] = chunkMetrics([
      { key: "LOAD_BALANCER:x", at: Date.now(), health: "UP", sessions: 1, requestRate: 40, cpu: 0.5, memory: 0.5, loadBalancer: p },
    ]);
    expect(more).toHaveLength(0);
    expect(Buffer.byteLength(message!)).toBeLessThan(MAX_NOTIFY_BYTES);
  });
});
