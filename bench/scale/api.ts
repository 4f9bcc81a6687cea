// The list API at one size: sequential GETs per endpoint through an API
// token, the kind of reads a dashboard or a script makes of a big fleet
// (random pages of 50, a name search, summary, metrics, events).
import { performance } from "node:perf_hooks";
import { median, quantile } from "../common";
import type { Stack } from "./setup";

export type ApiTimes = Record<string, { p50: number; p95: number }>;

/** p50 and p95 per endpoint over `requests` GETs, after 5 unmeasured ones. */
export async function measureApi({ n, baseURL, token }: Stack, requests: number): Promise<ApiTimes> {
  const headers = { authorization: `Bearer ${token}` };
  const pages = Math.max(1, Math.ceil(n / 50));
  const endpoints: Record<string, () => string> = {
    "nodes (random page of 50)": () => `/api/v1/nodes?page=${1 + Math.floor(Math.random() * pages)}&pageSize=50`,
    "nodes (name search)": () => `/api/v1/nodes?q=sim-app-${String(Math.floor(Math.random() * n)).padStart(5, "0")}`,
    summary: () => "/api/v1/summary",
    "metrics (nodes, 15 min)": () => "/api/v1/metrics?subjectType=NODE&range=15m",
    events: () => "/api/v1/events?pageSize=50",
  };
  const api: ApiTimes = {};
  for (const [name, url] of Object.entries(endpoints)) {
    const times: number[] = [];
    for (let i = 0; i < requests + 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${baseURL}${url()}`, { headers });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${url()}: HTTP ${res.status}`);
      if (i >= 5) times.push(performance.now() - t0); // 5 warm-up requests
    }
    api[name] = { p50: median(times), p95: quantile(times, 0.95) };
  }
  return api;
}
