// Where the console may open a connection. Agent URLs, probe addresses and
// (later) webhook URLs are typed by admins, and the console connects from
// inside the network: pointed at a cloud metadata service (169.254.169.254,
// fd00:ec2::254, …) it would fetch the host's cloud credentials for whoever
// typed the address. So link-local and metadata destinations are refused
// unless an admin allows them (the "linkLocalDestinations" setting).
//
// The check that holds is the one at connect time, on the address the socket
// is about to use: `guardedLookup` wraps DNS so a name that resolves (or later
// re-resolves) to such an address is refused before any packet is sent, and
// `checkHost` covers literal addresses, which Node connects to without any
// lookup. `literalDestinationProblem` (lib/agent-protocol/forbidden-address.ts,
// shared with the agent's HAProxy rules) is only for a clear message at input time.
//
// Every outgoing connection the console makes to an admin-typed address must
// go through `guardedConnectOptions` (or `checkHost` + `guardedLookup`).
import "server-only";
import dns from "node:dns";
import net from "node:net";
import { classifyAddress, type ForbiddenDestination } from "@/lib/agent-protocol/forbidden-address";

export type DestinationPolicy = { allowLinkLocal: boolean };
/** What applies until the setting is known: fail closed. */
export const STRICT_DESTINATIONS: DestinationPolicy = { allowLinkLocal: false };

/** A connection the guard stopped before it was opened. */
export class DestinationRefused extends Error {
  readonly code = "EDESTINATIONREFUSED";
  constructor(
    readonly host: string,
    readonly forbidden: ForbiddenDestination,
  ) {
    const literal = host.replace(/^\[|\]$/g, "") === forbidden.address.replace(/^\[|\]$/g, "");
    const target = literal
      ? `${host}, which is`
      : `${host}, which resolves to ${forbidden.address}${forbidden.embedded ? ` (carrying ${forbidden.embedded})` : ""},`;
    const inner = literal && forbidden.embedded ? ` (it carries ${forbidden.embedded})` : "";
    super(`refused to connect to ${target} ${forbidden.what} in ${forbidden.range}${inner}; an admin can allow link-local destinations in Settings`);
  }
}

/**
 * Throws DestinationRefused for a literal address the policy forbids. Node
 * connects to IP literals without calling `lookup`, so this check is the only
 * one they pass through. Names are left to guardedLookup.
 */
export function checkHost(host: string, policy: DestinationPolicy): void {
  if (policy.allowLinkLocal) return;
  const bare = host.replace(/^\[|\]$/g, "");
  if (!net.isIP(bare)) return;
  const forbidden = classifyAddress(bare);
  if (forbidden) throw new DestinationRefused(host, forbidden);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/http/https/tls: resolves as dns.lookup does, then refuses
 * the connection when any address the name resolves to is forbidden (one bad
 * address among good ones still means someone pointed the name at it). The
 * policy is read at each resolution, so a change applies to the next connect.
 */
export function guardedLookup(policy: () => DestinationPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions | number, callback: LookupCallback) => {
    const opts: dns.LookupOptions = typeof options === "number" ? { family: options } : { ...options };
    // dns.lookup is read here, at call time, so a test can stand in for DNS (vi.spyOn(dns, "lookup")).
    dns.lookup(hostname, { ...opts, all: true }, (error, addresses) => {
      if (error) return callback(error, opts.all ? [] : "", undefined);
      if (!policy().allowLinkLocal) {
        for (const a of addresses) {
          const forbidden = classifyAddress(a.address);
          if (forbidden) return callback(new DestinationRefused(hostname, forbidden), opts.all ? [] : "", undefined);
        }
      }
      if (opts.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "", undefined);
      callback(null, first.address, first.family);
    });
  }) as net.LookupFunction;
}

/**
 * Options to spread into http.request / https.request / net.connect for a
 * connection to `host`: throws DestinationRefused at once for a forbidden
 * literal, and supplies the guarded lookup for names.
 */
export function guardedConnectOptions(host: string, policy: () => DestinationPolicy): { lookup: net.LookupFunction } {
  checkHost(host, policy());
  return { lookup: guardedLookup(policy) };
}
