// The request-rate maths on its own: what a rate is between two readings of a
// cumulative counter, and when there is no honest one.
import { describe, expect, it } from "vitest";
import { counterRate, counterRates, requestCount, type CounterSample } from "./haproxy-rates";

const sample = (atMs: number, workerPid: number | null, counters: Record<string, number | null>): CounterSample => ({
  atMs,
  workerPid,
  counters: new Map(Object.entries(counters)),
});

describe("counterRate", () => {
  it("is the growth per second over the elapsed time", () => {
    expect(counterRate(100, 140, 1000)).toBe(40);
    expect(counterRate(100, 150, 2500)).toBe(20);
    expect(counterRate(7, 7, 1000)).toBe(0);
  });

  it("is null without a previous reading (first sample), never 0", () => {
    expect(counterRate(undefined, 40, 1000)).toBeNull();
    expect(counterRate(null, 40, 1000)).toBeNull();
  });

  it("is null when the counter went down (reset, or a wrap), never negative", () => {
    expect(counterRate(5000, 12, 1000)).toBeNull();
    expect(counterRate(2 ** 53 - 1, 3, 1000)).toBeNull();
  });

  it("is null when HAProxy left the counter empty (tcp mode), or no time passed", () => {
    expect(counterRate(10, null, 1000)).toBeNull();
    expect(counterRate(10, 20, 0)).toBeNull();
    expect(counterRate(10, 20, -5)).toBeNull();
  });

  it("refuses figures beyond exact integers rather than inventing precision", () => {
    expect(counterRate(2 ** 53, 2 ** 53 + 10, 1000)).toBeNull();
  });
});

describe("counterRates", () => {
  it("first collection: every rate null", () => {
    expect([...counterRates(null, sample(0, 10, { a: 5, b: 7 })).values()]).toEqual([null, null]);
  });

  it("rates each counter; a counter new since the last collection has none yet", () => {
    const rates = counterRates(sample(1000, 10, { a: 5 }), sample(2000, 10, { a: 25, b: 3 }));
    expect(rates.get("a")).toBe(20);
    expect(rates.get("b")).toBeNull();
  });

  it("a reload (new worker pid) makes the whole interval null, even where the new counter passed the old one", () => {
    const rates = counterRates(sample(1000, 10, { a: 5, b: 100 }), sample(2000, 11, { a: 900, b: 3 }));
    expect(rates.get("a")).toBeNull();
    expect(rates.get("b")).toBeNull();
  });

  it("a reset seen only as a decrease (pid unknown) is null for that counter alone", () => {
    const rates = counterRates(sample(0, null, { a: 50, b: 10 }), sample(500, null, { a: 2, b: 30 }));
    expect(rates.get("a")).toBeNull();
    expect(rates.get("b")).toBe(40);
  });
});

describe("requestCount", () => {
  const row = (cells: Record<string, string>) => (c: string) => cells[c];

  it("req_tot where HAProxy fills it", () => {
    expect(requestCount(row({ req_tot: "15", hrsp_2xx: "14", hrsp_5xx: "0" }))).toBe(15);
  });

  it("the responses by class summed where req_tot is empty (a server on a version without it)", () => {
    expect(requestCount(row({ req_tot: "", hrsp_1xx: "0", hrsp_2xx: "10", hrsp_3xx: "2", hrsp_4xx: "1", hrsp_5xx: "3", hrsp_other: "0" }))).toBe(16);
  });

  it("null in tcp mode, where neither is filled", () => {
    expect(requestCount(row({ req_tot: "", hrsp_2xx: "" }))).toBeNull();
  });
});
