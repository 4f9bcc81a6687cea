// Addresses: a bind must be a network listener, a server, check, resolver or
// log target a network destination that is not link-local or a cloud
// metadata service (unless the agent allows it), and bind/server options may
// not read unlisted files or take what belongs to the host or the agent.

import { literalDestinationProblem } from "@/lib/agent-protocol/forbidden-address";
import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { checkFile } from "@/lib/agent-protocol/haproxy/rules/files";
import { clip, refuse, type Check } from "@/lib/agent-protocol/haproxy/rules/report";

/** Address forms that are not a network address: unix sockets, abstract sockets, inherited descriptors. */
export const LOCAL_ADDRESS = /^(unix|abns|abnsz|fd|sockpair|uxst|uxdg)@/i;
const NETWORK_PREFIX = /^(ipv4|ipv6|tcp|tcp4|tcp6|udp|udp4|udp6|quic4|quic6)@/i;
/** host:port (or :port, *:port, [v6]:port, bare v6 with a last :port, port ranges) — a listening address. */
const LISTEN_ADDRESS = /^[A-Za-z0-9.*:[\]_-]*:\d{1,5}(-\d{1,5})?$/;
/** host, host:port, host:+N / host:-N (port offsets) — a server address. */
const SERVER_ADDRESS = /^[A-Za-z0-9.:[\]_+-]+$/;

/** Bind and server options whose value HAProxy reads as a file. */
const FILE_OPTIONS = new Set(["crt", "crt-list", "ca-file", "crl-file", "ca-verify-file", "ca-sign-file", "ssl-dh-param-file", "issuers-chain-path"]);
/** Bind and server options that are never the console's to set. */
const REFUSED_OPTIONS: Record<string, string> = {
  namespace: "network namespaces are the host's",
  level: "runtime API levels belong to the agent's admin socket",
  "expose-fd": "descriptor passing belongs to the agent's admin socket",
  "severity-output": "it belongs to the agent's admin socket",
  user: "socket ownership is the host's choice",
  group: "socket ownership is the host's choice",
  uid: "socket ownership is the host's choice",
  gid: "socket ownership is the host's choice",
};

export function checkListenAddresses(c: Check, value: string | undefined, what: string): void {
  if (value === undefined) return;
  for (const address of value.split(",")) {
    const bare = address.replace(NETWORK_PREFIX, "");
    if (!LISTEN_ADDRESS.test(bare)) refuse(c, `${what} "${clip(address)}" must be a network address such as ":80", "10.0.0.1:443" or "[::]:8080"`);
  }
}

export function checkServerAddress(c: Check, value: string | undefined, what: string): void {
  if (value === undefined) return;
  const bare = value.replace(NETWORK_PREFIX, "");
  if (!SERVER_ADDRESS.test(bare)) {
    refuse(c, `${what} "${clip(value)}" must be a network address (host or host:port)`);
    return;
  }
  if (c.policy.linkLocal) return;
  // The host part: "[v6]:port", "v4:port", a bare v6 (its last group may be a port), or a name.
  const host = bare.startsWith("[") ? bare.slice(0, bare.indexOf("]") + 1) : bare;
  const candidates = host.startsWith("[") ? [host] : [host, host.replace(/:[+-]?\d*$/, "")];
  const forbidden = candidates.map((h) => (h ? literalDestinationProblem(h) : null)).find((f) => f);
  if (forbidden) refuse(c, `${what} "${clip(value)}" is ${forbidden.what} (${forbidden.range}); the agent's config must allow it (haproxy.allow.linkLocal)`);
}

/** Options after a bind/server address: files checked, host-only ones refused. */
export function checkSocketOptions(c: Check, words: HaproxyWord[], from: number): void {
  for (let i = from; i < words.length; i++) {
    const option = words[i]!.value;
    if (FILE_OPTIONS.has(option)) {
      const file = words[i + 1]?.value;
      if (file !== "@system-ca") checkFile(c, file, `"${option}"`);
      i++;
    } else if (REFUSED_OPTIONS[option]) {
      refuse(c, `"${option}" is refused: ${REFUSED_OPTIONS[option]}`);
    } else if (option === "socks4" || option === "addr" || option === "agent-addr") {
      checkServerAddress(c, words[i + 1]?.value, `"${option}"`);
      i++;
    }
  }
}

export function checkLogTarget(c: Check, words: HaproxyWord[]): void {
  const target = words[1]?.value;
  if (target === undefined || target === "global") return;
  if (target === "stdout" || target === "stderr") return;
  if (target.startsWith("/")) return checkFile(c, target, "log to a unix socket");
  checkServerAddress(c, target, "log target");
}
