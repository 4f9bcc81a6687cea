// Prometheus exposition for the agent, through prom-client. The agent's own
// figures and its driver's are read at scrape time from what the last collect
// saw, so each scrape fills a fresh Registry (see exposition) rather than
// keeping metrics in step with the collector. Label values come from config and
// from the managed software: prom-client escapes them.
import { Counter, Gauge, Registry } from "prom-client";

export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

export type Labels = Record<string, string>;
export type Sample = { labels?: Labels; value: number };

/** One metric family in `registry`: HELP, TYPE and its samples. An empty family still declares itself. */
export function family(registry: Registry, name: string, type: "gauge" | "counter", help: string, samples: Sample[] | number): void {
  const list = typeof samples === "number" ? [{ value: samples }] : samples;
  const labelNames = [...new Set(list.flatMap((s) => Object.keys(s.labels ?? {})))];
  // prom-client prints `name 0` for an unlabelled metric that was never set; with a
  // label name and no series it prints HELP and TYPE alone, as an empty family should.
  const config = { name, help, labelNames: list.length === 0 ? ["series"] : labelNames, registers: [registry] };
  if (type === "gauge") {
    const gauge = new Gauge(config);
    for (const s of list) {
      if (s.labels) gauge.set(s.labels, s.value);
      else gauge.set(s.value);
    }
  } else {
    const counter = new Counter(config);
    for (const s of list) {
      // A counter only goes up from zero: a value that cannot be one (an app reporting garbage) is left out.
      if (!(s.value >= 0) || s.value === Infinity) continue;
      if (s.labels) counter.inc(s.labels, s.value);
      else counter.inc(s.value);
    }
  }
}

/** The text of a fresh Registry that `fill` registers families in. */
export async function exposition(fill: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  fill(registry);
  return registry.metrics();
}
