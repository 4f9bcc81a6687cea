// Protects: in the browser, only real input counts as activity. A tab that
// just sits there — whatever else it does — reports nothing and only reads
// its session's state when a warning may be due; input is reported at most
// once a minute; synthetic events are ignored; the warning comes two minutes
// before the end (after asking the server again, as another tab may have
// kept the session alive), "stay signed in" reports and clears it, and the
// absolute cap is announced as what it is.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { REPORT_EVERY_MS, startKeeper, WARN_BEFORE_MS, type SessionWarning } from "@/lib/sessions/keeper";
import type { SessionAnswer } from "@/lib/sessions/schemas";

const IDLE = 30 * 60_000;

/** The server's side, on the fake clock: activity restarts the idle timeout; nothing else does. */
function fakeServer(capMs = 12 * 3600_000) {
  const start = Date.now();
  const server = {
    lastActivity: start,
    expiresAt: start + capMs,
    reads: 0,
    reports: 0,
    state(): SessionAnswer {
      const now = Date.now();
      const idleEnd = Math.min(server.lastActivity + IDLE, server.expiresAt);
      if (now >= idleEnd) throw new Error("401");
      return {
        session: {
          idleSecondsLeft: Math.floor((idleEnd - now) / 1000),
          secondsLeft: Math.floor((server.expiresAt - now) / 1000),
          idleTimeoutSeconds: IDLE / 1000,
          lastActivityAt: new Date(server.lastActivity).toISOString(),
          expiresAt: new Date(server.expiresAt).toISOString(),
        },
      };
    },
    read: async () => {
      server.reads++;
      return server.state();
    },
    report: async () => {
      server.reports++;
      server.lastActivity = Date.now();
      return server.state();
    },
  };
  return server;
}

/** A window whose listeners the test calls with trusted or synthetic events. */
function fakeWindow() {
  const listeners = new Map<string, EventListener>();
  return {
    addEventListener: (type: string, fn: EventListenerOrEventListenerObject | null) => void listeners.set(type, fn as EventListener),
    removeEventListener: (type: string) => void listeners.delete(type),
    fire: (type: string, isTrusted = true) => listeners.get(type)?.({ type, isTrusted } as Event),
    listening: () => [...listeners.keys()].sort(),
  };
}

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe("the session keeper", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T09:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports nothing while the user does nothing, and reads only when a warning may be due", async () => {
    const server = fakeServer();
    const win = fakeWindow();
    const warnings: (SessionWarning | null)[] = [];
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: (w) => warnings.push(w), input: win });
    await advance(0);
    expect(win.listening()).toEqual(["keydown", "pointerdown", "touchstart", "wheel"]);
    expect(server.reads).toBe(1);
    await advance(IDLE - WARN_BEFORE_MS - 1000);
    expect(server.reports).toBe(0);
    expect(server.reads).toBe(1);
    await advance(2000);
    expect(server.reads).toBe(2);
    expect(warnings.at(-1)).toMatchObject({ kind: "idle", at: server.lastActivity + IDLE });
    expect(server.reports).toBe(0);
    keeper.stop();
    expect(win.listening()).toEqual([]);
  });

  it("reports real input at most once a minute, and ignores synthetic events", async () => {
    const server = fakeServer();
    const win = fakeWindow();
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: () => {}, input: win });
    await advance(0);
    win.fire("pointerdown", false);
    win.fire("keydown", false);
    await advance(0);
    expect(server.reports).toBe(0);

    win.fire("keydown");
    await advance(0);
    expect(server.reports).toBe(1);
    for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
      win.fire(type);
      await advance(5_000);
    }
    expect(server.reports).toBe(1);
    await advance(REPORT_EVERY_MS);
    win.fire("wheel");
    await advance(0);
    expect(server.reports).toBe(2);
    keeper.stop();
  });

  it("keeps the session alive while the user works, and warns then signs out when they stop", async () => {
    const server = fakeServer();
    const win = fakeWindow();
    const warnings: (SessionWarning | null)[] = [];
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: (w) => warnings.push(w), input: win });
    await advance(0);
    // An hour of work, a key every 45 s.
    for (let t = 0; t < 3600_000; t += 45_000) {
      win.fire("keydown");
      await advance(45_000);
    }
    expect(warnings.filter(Boolean)).toEqual([]);
    const readsBefore = server.reads;
    await advance(IDLE - WARN_BEFORE_MS);
    expect(warnings.at(-1)).toMatchObject({ kind: "idle" });
    // At the end the keeper asks once more; the server says no (a 401), which sends the tab to sign in.
    await advance(WARN_BEFORE_MS + 2000);
    expect(server.reads).toBeGreaterThan(readsBefore + 1);
    expect(() => server.state()).toThrow("401");
    keeper.stop();
  });

  it("does not warn when another tab kept the session alive", async () => {
    const server = fakeServer();
    const win = fakeWindow();
    const warnings: (SessionWarning | null)[] = [];
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: (w) => warnings.push(w), input: win });
    await advance(IDLE - WARN_BEFORE_MS - 60_000);
    server.lastActivity = Date.now(); // the user at work in another tab
    await advance(120_000);
    expect(warnings.filter(Boolean)).toEqual([]);
    expect(server.reports).toBe(0);
    keeper.stop();
  });

  it("'stay signed in' reports and clears the warning", async () => {
    const server = fakeServer();
    const win = fakeWindow();
    const warnings: (SessionWarning | null)[] = [];
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: (w) => warnings.push(w), input: win });
    await advance(IDLE - WARN_BEFORE_MS + 1000);
    expect(warnings.at(-1)).toMatchObject({ kind: "idle" });
    keeper.stay();
    await advance(0);
    expect(server.reports).toBe(1);
    expect(warnings.at(-1)).toBeNull();
    // The press that clicked the button counted already: no second report.
    win.fire("pointerdown");
    keeper.stay();
    await advance(0);
    expect(server.reports).toBe(1);
    keeper.stop();
  });

  it("announces the absolute cap, which input does not push back", async () => {
    const server = fakeServer(10 * 60_000);
    const win = fakeWindow();
    const warnings: (SessionWarning | null)[] = [];
    const keeper = startKeeper({ read: server.read, report: server.report, onWarning: (w) => warnings.push(w), input: win });
    await advance(10 * 60_000 - WARN_BEFORE_MS + 1000);
    expect(warnings.at(-1)).toMatchObject({ kind: "cap", at: server.expiresAt });
    win.fire("keydown");
    await advance(0);
    expect(warnings.at(-1)).toMatchObject({ kind: "cap", at: server.expiresAt });
    keeper.stop();
  });
});
