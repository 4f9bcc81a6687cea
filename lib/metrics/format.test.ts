// Protects: chart axes and summaries read in UTC and with units.
import { expect, it } from "vitest";
import { formatMetric, formatTick, utcDateTime, utcTime } from "@/lib/metrics/format";

it("formats times in UTC", () => {
  const t = Date.UTC(2026, 2, 9, 4, 5, 6);
  expect(utcTime(t)).toBe("04:05");
  expect(utcTime(t, true)).toBe("03-09 04:05");
  expect(utcDateTime(t)).toBe("2026-03-09 04:05:06 UTC");
});

it("formats each metric with its unit", () => {
  expect(formatMetric("sessions", 1234.4)).toBe("1,234");
  expect(formatMetric("requestRate", 12.34)).toBe("12.3/s");
  expect(formatMetric("latencyMs", 250)).toBe("250 ms");
  expect(formatMetric("cpu", 0.456)).toBe("45.6 %");
  expect(formatMetric("memory", 0.5)).toBe("50 %");
  expect(formatMetric("lagBytes", 3 * 1024 * 1024)).toBe("3.0 MiB");
  expect(formatMetric("lagSeconds", 0.125)).toBe("0.13 s");
  expect(formatMetric("sessions", null)).toBe("—");
  expect(formatTick("cpu", 0.25)).toBe("25%");
  expect(formatTick("sessions", 2500)).toBe("2.5k");
  expect(formatTick("sessions", 12000)).toBe("12k");
  expect(["0", "0.05", "0.1", "0.15", "0.2"].map(Number).map((v) => formatTick("lagSeconds", v))).toEqual(["0", "0.05", "0.1", "0.15", "0.2"]);
  expect(formatTick("requestRate", 2.5)).toBe("2.5");
  expect(formatTick("latencyMs", 45)).toBe("45");
});
