// Prometheus /metrics of the web process (lib/telemetry/web-metrics.ts).
// Closed unless CLUSTERDECK_METRICS_TOKEN is set: then only a request bearing
// that token is answered (compared as SHA-256 digests, in constant time), as
// an agent's /metrics is with its metricsToken. The figures (routes, load,
// open streams) help whoever maps the console, so none of it is public.
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { webMetrics } from "@/lib/telemetry/web-metrics";
import { ApiError, problemResponse } from "@/lib/http/problem";

export const dynamic = "force-dynamic";

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/** A problem+json refusal like every other (a 401 also names the bearer scheme). */
function refuse(status: 401 | 403, detail: string): Response {
  return problemResponse(new ApiError(status, status === 401 ? "Unauthorized" : "Forbidden", detail), crypto.randomUUID());
}

export async function GET(req: Request): Promise<Response> {
  const token = env().CLUSTERDECK_METRICS_TOKEN;
  if (!token) return refuse(403, "/metrics is closed: set CLUSTERDECK_METRICS_TOKEN (16+ characters) and have Prometheus send it as a bearer token");
  const header = req.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? sha256(header.slice(7).trim()) : undefined;
  if (!given || !timingSafeEqual(given, sha256(token))) return refuse(401, "A valid bearer token is required");
  const { registry } = webMetrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
