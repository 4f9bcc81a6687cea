// The caller's address, for audit and throttling. Under `clusterdeck start`
// the front server (bin/front-server.mjs) has set X-Forwarded-For: to the
// socket's address when no proxy is trusted, or to what the proxies sent with
// the socket's address appended behind CLUSTERDECK_TRUST_PROXY=<hops>. Each
// trusted proxy appends the address it was reached from, so the client is
// the entry <hops> from the right; anything further left came from the client
// and proves nothing. (`next dev` has no front server: there a client can
// name its own address, which is harmless on a developer's machine.)
import "server-only";
import { isIP } from "node:net";
import { env } from "@/lib/env";

export function clientIpFrom(headers: Headers | Record<string, string | string[] | undefined>): string | null {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw.join(",") : raw;
  if (!value) return null;
  return clientFromChain(value, env().CLUSTERDECK_TRUST_PROXY);
}

/** The entry `hops` from the right of an X-Forwarded-For chain (the leftmost if the chain is shorter), when it is an address. */
export function clientFromChain(chain: string, hops: number): string | null {
  const parts = chain.split(",").map((s) => s.trim());
  return addressOf(parts[Math.max(0, parts.length - 1 - hops)] ?? "");
}

// Proxies write an address alone, IPv6 in brackets, or either with a port.
function addressOf(entry: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const candidate = bracketed ? bracketed[1]! : /^[^:]+:\d+$/.test(entry) ? entry.slice(0, entry.lastIndexOf(":")) : entry;
  if (isIP(candidate) === 0) return null;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(candidate) ? candidate.slice(7) : candidate.toLowerCase();
}
