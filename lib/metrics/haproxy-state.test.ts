// Server states in words: every status word HAProxy 2.6 prints, transitional ones included.
import { describe, expect, it } from "vitest";
import { errorsText, requestsPerSecond, serverState, sinceText } from "./haproxy-state";

describe("serverState", () => {
  it.each([
    ["UP", "READY", "Up", "ok"],
    ["UP 1/3", "READY", "Up, failing checks", "warn"],
    ["DOWN", "READY", "Down", "down"],
    ["DOWN 1/2", "READY", "Down, recovering", "warn"],
    ["NOLB", "READY", "No new traffic (NOLB)", "warn"],
    ["no check", "READY", "Up, not checked", "plain"],
    ["DRAIN", "DRAIN", "Drained", "accent"],
    ["MAINT", "MAINT", "Maintenance", "warn"],
    ["MAINT (via be/app1)", "READY", "Maintenance", "warn"],
  ] as const)("%s (%s) reads %s", (status, admin, word, tone) => {
    expect(serverState(status, admin)).toMatchObject({ word, tone });
  });

  it("a drained server whose checks fail stays Drained, and says its checks fail", () => {
    expect(serverState("DOWN", "DRAIN")).toEqual({ word: "Drained", tone: "down", detail: "but its checks fail" });
  });

  it("a maintenance inherited from another server names it", () => {
    expect(serverState("MAINT (via be/app1)", "READY").detail).toBe("inherited from be/app1");
  });
});

describe("figures in words", () => {
  it("rates carry their unit, and no figure is a dash, not 0", () => {
    expect(requestsPerSecond(40)).toBe("40.0 req/s");
    expect(requestsPerSecond(0)).toBe("0.0 req/s");
    expect(requestsPerSecond(12_345.6)).toBe("12,346 req/s");
    expect(requestsPerSecond(null)).toBe("—");
  });

  it("durations to the unit that matters", () => {
    expect([sinceText(45), sinceText(600), sinceText(10_800), sinceText(259_200)]).toEqual(["45 s", "10 min", "3 h", "3 d"]);
  });

  it("errors: only those that happened, named", () => {
    expect(errorsText({ connect: 3, response: 0, retries: 0, redispatches: 0, http5xx: 1 })).toBe("3 connect, 1 5xx");
    expect(errorsText({ connect: 0, response: 0, retries: 0, redispatches: 0, http5xx: 0 })).toBe("none");
  });
});
