// Protects: a burst of live events refreshes the page at most once a second,
// and the last event of a burst is never dropped.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createThrottle } from "@/lib/metrics/throttle";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it("runs the first call at once, collapses a burst into one trailing call", () => {
  const fn = vi.fn();
  const t = createThrottle(fn, 1000);
  t();
  expect(fn).toHaveBeenCalledTimes(1);
  for (let i = 0; i < 20; i++) {
    vi.advanceTimersByTime(40);
    t();
  }
  expect(fn).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(1000);
  expect(fn).toHaveBeenCalledTimes(2);
  // Quiet for longer than the interval: the next call runs at once again.
  vi.advanceTimersByTime(5000);
  t();
  expect(fn).toHaveBeenCalledTimes(3);
});

it("never runs twice within the interval", () => {
  const calls: number[] = [];
  const t = createThrottle(() => calls.push(Date.now()), 1000);
  for (let i = 0; i < 100; i++) {
    t();
    vi.advanceTimersByTime(77);
  }
  vi.advanceTimersByTime(2000);
  for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBeGreaterThanOrEqual(1000);
  expect(calls.length).toBeGreaterThanOrEqual(7);
});

it("can be cancelled", () => {
  const fn = vi.fn();
  const t = createThrottle(fn, 1000);
  t();
  t();
  t.cancel();
  vi.advanceTimersByTime(2000);
  expect(fn).toHaveBeenCalledTimes(1);
});
