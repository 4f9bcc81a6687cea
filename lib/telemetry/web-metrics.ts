// The web process's Prometheus figures (served by app/metrics/route.ts):
// API requests by route and status, open live-stream clients, and
// prom-client's process and Node.js figures. One registry per process, kept
// on globalThis: Next may load this module more than once (per route bundle,
// and again on every dev reload), and every copy must count into the same one.
import "server-only";
import { Counter, Gauge, Registry } from "prom-client";
import { registerProcessMetrics } from "@/lib/telemetry/process";

type WebMetrics = { registry: Registry; requests: Counter<"method" | "route" | "status">; streamClients: Gauge };

const KEY = Symbol.for("clusterdeck.web-metrics");

function create(): WebMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "clusterdeck_web_requests_total",
    help: "API requests answered, by method, route (the contract's path template, not the URL) and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const streamClients = new Gauge({
    name: "clusterdeck_web_stream_clients",
    help: "Open live-stream (Server-Sent Events) connections to this web process.",
    registers: [registry],
  });
  registerProcessMetrics(registry);
  return { registry, requests, streamClients };
}

export function webMetrics(): WebMetrics {
  const holder = globalThis as { [KEY]?: WebMetrics };
  return (holder[KEY] ??= create());
}

/** One answered API request; `route` is the route's template (`/api/v1/nodes/{id}`), so the series stay few. */
export function countRequest(method: string, route: string, status: number): void {
  webMetrics().requests.inc({ method, route, status: String(status) });
}

/** A live-stream client came (+1) or went (-1). */
export function streamClientDelta(delta: 1 | -1): void {
  webMetrics().streamClients.inc(delta);
}
