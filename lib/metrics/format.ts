// How metric values and times read on charts and tables. Times are UTC, as
// everywhere in the console.
import type { MetricField } from "@/lib/metrics/schemas";

const pad = (n: number) => String(n).padStart(2, "0");

/** "14:05" (UTC), or "03-09 14:05" when the axis spans days. */
export function utcTime(ms: number, withDate = false): string {
  const d = new Date(ms);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withDate ? `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hm}` : hm;
}

/** "2026-03-09 14:05:10 UTC" */
export function utcDateTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

function compact(n: number, digits = 1): string {
  if (Math.abs(n) >= 10_000) return Math.round(n).toLocaleString("en");
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return String(Math.round(n));
  return n.toFixed(digits);
}

/** A value with its unit, for tooltips, tables and the screen-reader summary. */
export function formatMetric(field: MetricField, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  switch (field) {
    case "sessions":
      return Math.round(value).toLocaleString("en");
    case "requestRate":
      return `${compact(value)}/s`;
    case "latencyMs":
      return `${compact(value)} ms`;
    case "cpu":
    case "memory":
      return `${compact(value * 100)} %`;
    case "lagBytes":
      return formatBytes(value);
    case "lagSeconds":
      return `${compact(value, 2)} s`;
  }
}

/** As few digits as tell neighbouring ticks apart (0.05 and 0.1 must not both read "0.1"). */
function tickNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return `${tickNumber(v / 1000)}k`;
  if (a >= 10 || a === 0) return String(Math.round(v));
  return String(Number(v.toFixed(a >= 1 ? 1 : 2)));
}

/** Shorter, for axis ticks. */
export function formatTick(field: MetricField, value: number): string {
  switch (field) {
    case "cpu":
    case "memory":
      return `${Math.round(value * 100)}%`;
    case "lagBytes":
      return formatBytes(value);
    default:
      return tickNumber(value);
  }
}

export const fieldLabels: Record<MetricField, string> = {
  sessions: "Active sessions",
  requestRate: "Requests per second",
  latencyMs: "Latency (ms)",
  cpu: "CPU",
  memory: "Memory",
  lagBytes: "Replication lag (bytes)",
  lagSeconds: "Replication lag (seconds)",
};
