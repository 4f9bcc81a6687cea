// Protects: the live window stays bounded (15 min, a hard point cap) whatever
// the stream sends, late and duplicate points land in order, and a chart's
// line prefers live points over stored ones without losing stored history.
import { describe, expect, it } from "vitest";
import type { MetricPoint } from "@/lib/realtime/messages";
import type { SeriesPoint } from "@/lib/metrics/schemas";
import { appendToWindow, bucketize, chartRows, groupByKey, latestValue, LIVE_WINDOW_MS, mergeStoredAndLive, timeTicks } from "@/lib/metrics/live-window";

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const mp = (s: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({ key: "NODE:n1", at: T0 + s * 1000, health: "UP", sessions: s, ...extra });
const sp = (at: number, sessions: number | null, extra: Partial<SeriesPoint> = {}): SeriesPoint => ({
  at,
  health: "UP",
  sessions,
  requestRate: null,
  latencyMs: null,
  cpu: null,
  memory: null,
  lagBytes: null,
  lagSeconds: null,
  ...extra,
});

describe("appendToWindow", () => {
  it("keeps the last point with back-end probes when a silent agent's points carry none", () => {
    const probes = [{ name: "db", up: true, latencyMs: 2 }];
    let w = appendToWindow(undefined, [mp(0, { backends: probes }), mp(1, { backends: probes })]);
    w = appendToWindow(w, [mp(5, { health: "UNREACHABLE" }), mp(6, { health: "UNREACHABLE" })]);
    expect(w.latest?.at).toBe(T0 + 6000);
    expect(w.lastProbed).toMatchObject({ at: T0 + 1000, backends: probes });
    // A late probe older than the kept one does not replace it.
    w = appendToWindow(w, [mp(0.5, { backends: [] })]);
    expect(w.lastProbed?.at).toBe(T0 + 1000);
  });

  it("keeps 15 minutes measured from the newest point, and the newest point whole", () => {
    let w = appendToWindow(undefined, []);
    expect(w.points).toEqual([]);
    for (let s = 0; s < 20 * 60; s += 1) w = appendToWindow(w, [mp(s, { backends: [{ name: "db", up: true, latencyMs: s }] })]);
    expect(w.points[w.points.length - 1]!.at).toBe(T0 + (20 * 60 - 1) * 1000);
    expect(w.points[0]!.at).toBe(T0 + (20 * 60 - 1) * 1000 - LIVE_WINDOW_MS);
    expect(w.points).toHaveLength(901);
    expect(w.latest?.backends?.[0]?.latencyMs).toBe(20 * 60 - 1);
    // Back-end lists live on the latest point only, not on every stored one.
    expect(Object.keys(w.points[0]!)).not.toContain("backends");
  });

  it("never holds more than the point cap, however fast points come", () => {
    const burst = Array.from({ length: 5000 }, (_, i) => mp(i / 100));
    const w = appendToWindow(undefined, burst, { maxPoints: 1200 });
    expect(w.points).toHaveLength(1200);
    expect(w.points[w.points.length - 1]!.at).toBe(burst[4999]!.at);
  });

  it("puts late points in order and replaces a duplicate", () => {
    let w = appendToWindow(undefined, [mp(1), mp(3)]);
    w = appendToWindow(w, [mp(2), mp(3, { sessions: 33 })]);
    expect(w.points.map((p) => [p.at - T0, p.sessions])).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 33],
    ]);
    // A late point does not become the latest.
    w = appendToWindow(w, [mp(0)]);
    expect(w.latest!.at).toBe(T0 + 3000);
  });

  it("does not change the window it was given", () => {
    const a = appendToWindow(undefined, [mp(1)]);
    const b = appendToWindow(a, [mp(2)]);
    expect(a.points).toHaveLength(1);
    expect(b.points).toHaveLength(2);
  });

  it("turns missing and non-finite values into null", () => {
    const w = appendToWindow(undefined, [{ key: "k", at: T0, health: "DOWN", cpu: Number.NaN }]);
    expect(w.points[0]).toEqual(sp(T0, null, { health: "DOWN" }));
  });
});

describe("bucketize", () => {
  it("averages into epoch-aligned buckets; lag takes the maximum and health the worst", () => {
    const points = [
      sp(T0 + 0, 10, { lagBytes: 5, health: "UP" }),
      sp(T0 + 1000, 20, { lagBytes: 50, health: "DOWN" }),
      sp(T0 + 2000, null, { lagBytes: 1 }),
      sp(T0 + 10_000, 40),
    ];
    expect(bucketize(points, 10_000)).toEqual([sp(T0, 15, { lagBytes: 50, health: "DOWN" }), sp(T0 + 10_000, 40)]);
  });
});

describe("mergeStoredAndLive", () => {
  it("keeps stored samples before the live ones and where the stream had a gap; live wins where both exist", () => {
    const stored = [0, 10, 20, 30, 40, 50].map((s) => sp(T0 + s * 1000, 100 + s));
    const live = [
      ...[20, 21, 22].map((s) => sp(T0 + s * 1000, s)),
      // no live points 30–49 s: the stream was down
      ...[50, 51].map((s) => sp(T0 + s * 1000, s)),
    ];
    const merged = mergeStoredAndLive(stored, 10_000, live, 2000);
    expect(merged.map((p) => [(p.at - T0) / 1000, p.sessions])).toEqual([
      [0, 100],
      [10, 110],
      [20, 20.5],
      [22, 22],
      [30, 130],
      [40, 140],
      [50, 50.5],
    ]);
  });

  it("answers with whichever side has points", () => {
    expect(mergeStoredAndLive([], 10_000, [sp(T0, 1)], 2000)).toEqual([sp(T0, 1)]);
    expect(mergeStoredAndLive([sp(T0, 1)], 10_000, [], 2000)).toEqual([sp(T0, 1)]);
  });
});

describe("chartRows", () => {
  it("joins lines on time, leaves nulls out, scales and starts at `from`", () => {
    const rows = chartRows(
      [
        { id: "a", label: "A", field: "sessions", points: [sp(T0, 1), sp(T0 + 10_000, 2)] },
        { id: "b", label: "B", field: "sessions", points: [sp(T0 - 10_000, 9), sp(T0 + 10_000, null), sp(T0 + 20_000, 3)], scale: 10 },
      ],
      T0,
    );
    expect(rows).toEqual([
      { at: T0, a: 1 },
      { at: T0 + 10_000, a: 2 },
      { at: T0 + 20_000, b: 30 },
    ]);
  });
});

describe("small helpers", () => {
  it("finds the latest value, round ticks, and groups points by key", () => {
    expect(latestValue([sp(T0, 4), sp(T0 + 1, null)], "sessions")).toEqual({ at: T0, value: 4 });
    expect(latestValue([sp(T0, null)], "sessions")).toBeNull();
    expect(timeTicks(T0 + 1, T0 + 25 * 60_000, 10 * 60_000)).toEqual([T0 + 10 * 60_000, T0 + 20 * 60_000]);
    const grouped = groupByKey([mp(1), { ...mp(2), key: "DATABASE:d" }, mp(3), null as unknown as MetricPoint]);
    expect([...grouped.keys()]).toEqual(["NODE:n1", "DATABASE:d"]);
    expect(grouped.get("NODE:n1")!.map((p) => p.sessions)).toEqual([1, 3]);
  });
});
