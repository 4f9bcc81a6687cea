import { describe, expect, it } from "vitest";
import { HealthState } from "@/worker/health";

describe("rise/fall thresholds", () => {
  it("takes the first observation as is", () => {
    const h = new HealthState({ rise: 3, fall: 2 });
    expect(h.observe("UP")).toEqual({ from: "UNKNOWN", to: "UP", reasons: [] });
  });

  it("needs `fall` consecutive failures to go down and `rise` successes to come back", () => {
    const h = new HealthState({ rise: 3, fall: 2 }, "UP");
    expect(h.observe("DOWN", ["refused"])).toBeNull();
    expect(h.observe("DOWN", ["refused"])).toEqual({ from: "UP", to: "DOWN", reasons: ["refused"] });
    expect(h.observe("UP")).toBeNull();
    expect(h.observe("UP")).toBeNull();
    expect(h.observe("UP")).toEqual({ from: "DOWN", to: "UP", reasons: [] });
  });

  it("ranks UNREACHABLE between DEGRADED and DOWN: reaching it and leaving it for DOWN each take `fall`", () => {
    const h = new HealthState({ rise: 2, fall: 2 }, "UP");
    expect(h.observe("UNREACHABLE", ["agent unreachable"])).toBeNull();
    expect(h.observe("UNREACHABLE", ["agent unreachable"])).toEqual({ from: "UP", to: "UNREACHABLE", reasons: ["agent unreachable"] });
    expect(h.observe("DOWN", ["check failed"])).toBeNull();
    expect(h.observe("DOWN", ["check failed"])).toEqual({ from: "UNREACHABLE", to: "DOWN", reasons: ["check failed"] });
    expect(h.observe("UNREACHABLE")).toBeNull();
    expect(h.observe("UNREACHABLE")).toEqual({ from: "DOWN", to: "UNREACHABLE", reasons: [] });
  });

  it("does not flap on alternating observations", () => {
    const h = new HealthState({ rise: 2, fall: 2 }, "UP");
    for (let i = 0; i < 10; i++) {
      expect(h.observe("DOWN")).toBeNull();
      expect(h.observe("UP")).toBeNull();
    }
    expect(h.health).toBe("UP");
  });

  it("restarts the count when the worse state changes", () => {
    const h = new HealthState({ rise: 2, fall: 2 }, "UP");
    expect(h.observe("DEGRADED")).toBeNull();
    expect(h.observe("DOWN")).toBeNull();
    expect(h.observe("DOWN")?.to).toBe("DOWN");
  });
});
