// Prometheus text exposition (format 0.0.4) by hand, for the fleet simulator
// only: thousands of simulated agents answer scrapes in one process, so each
// answer is a string built at once. Real agents expose through prom-client
// (agent/prom.ts), under the same names and labels. Label values are escaped
// here rather than trusted.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;
export type Sample = { labels?: Labels; value: number };

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** One metric family: HELP, TYPE and its samples. An empty family still declares itself. */
export function family(name: string, type: "gauge" | "counter", help: string, samples: Sample[] | number): string {
  const list = typeof samples === "number" ? [{ value: samples }] : samples;
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  for (const s of list) lines.push(`${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  return lines.join("\n") + "\n";
}
