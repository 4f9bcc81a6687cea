// The caller's address, for audit and throttling. `next start` appends the
// socket address to X-Forwarded-For, so the last entry is the one we saw;
// behind a trusted proxy (CLUSTERDECK_TRUST_PROXY) the first is the client.
import { env } from "@/lib/env";

export function clientIpFrom(headers: Headers | Record<string, string | string[] | undefined>): string | null {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw.join(",") : raw;
  if (!value) return null;
  const parts = value.split(",").map((s) => s.trim()).filter(Boolean);
  const ip = env().CLUSTERDECK_TRUST_PROXY ? parts[0] : parts[parts.length - 1];
  return ip && ip.length <= 64 ? ip : null;
}
