// Which addresses are link-local or a cloud metadata service, however they
// are spelled (IPv4 forms inet_aton accepts, IPv6 forms that carry an IPv4
// address). Pure functions, no I/O: the console's connect-time guard
// (lib/net/destination-guard.ts) and the HAProxy rules an agent enforces
// (lib/agent-protocol/haproxy/rules/) both classify with these.

export type ForbiddenDestination = {
  /** The address as given (or resolved). */
  address: string;
  /** The IPv4 address found inside an IPv6 one (mapped, NAT64, 6to4, …), when that is what matched. */
  embedded?: string;
  range: string;
  what: string;
};

const LINK_LOCAL_V4 = { range: "169.254.0.0/16", what: "a link-local address (cloud metadata services answer at 169.254.169.254)" };
const LINK_LOCAL_V6 = { range: "fe80::/10", what: "an IPv6 link-local address" };

/** Metadata services outside 169.254.0.0/16, each a /32 or /128. */
const METADATA_V4: Record<string, string> = {
  "100.100.100.200": "Alibaba Cloud's metadata service",
  "192.0.0.192": "Oracle Cloud's metadata service",
  "168.63.129.16": "Azure's host agent (WireServer)",
};
const METADATA_V6: Record<string, string> = {
  "fd00:ec2:0:0:0:0:0:254": "AWS's IPv6 metadata service",
};

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : null;
}

/** 16 bytes, or null. Accepts "::" compression, a dotted IPv4 tail and a zone ("%eth0"). */
function parseIPv6(text: string): number[] | null {
  let s = text.replace(/%.*$/, "");
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    // "::ffff:1.2.3.4" is "::ffff:102:304".
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const split = (h: string) => (h === "" ? [] : h.split(":"));
  const head = split(halves[0]!);
  let groups = head;
  if (halves.length === 2) {
    const rest = split(halves[1]!);
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  }
  if (groups.length !== 8 || !groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

const v4Text = (b: number[]) => b.join(".");
const v6Text = (b: number[]) => Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(":");
const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);
const pick = (b: number[], idx: number[]) => idx.map((i) => b[i]!);

function classifyV4(b: number[]): { range: string; what: string } | null {
  if (b[0] === 169 && b[1] === 254) return LINK_LOCAL_V4;
  const text = v4Text(b);
  const metadata = METADATA_V4[text];
  return metadata ? { range: `${text}/32`, what: metadata } : null;
}

/**
 * Every IPv4 address an IPv6 address can carry on the way to an IPv4 host:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT
 * (::ffff:0:a.b.c.d), NAT64 in 64:ff9b::/32 at each RFC 6052 prefix length
 * (the well-known /96 and the local-use 64:ff9b:1::/48 included), 6to4
 * (2002:AABB:CCDD::) and Teredo (server, and the client XOR 0xff).
 */
function embeddedV4(b: number[]): number[][] {
  const found: number[][] = [];
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) found.push(b.slice(12));
  if (zero(b, 0, 12)) found.push(b.slice(12));
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) found.push(b.slice(12));
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    found.push(pick(b, [4, 5, 6, 7]), pick(b, [5, 6, 7, 9]), pick(b, [6, 7, 9, 10]), pick(b, [7, 9, 10, 11]), pick(b, [9, 10, 11, 12]), b.slice(12));
  }
  if (b[0] === 0x20 && b[1] === 0x02) found.push(b.slice(2, 6));
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0)
    found.push(
      b.slice(4, 8),
      b.slice(12).map((x) => x ^ 0xff),
    );
  return found;
}

/** Why the console must not connect to this address, or null when it may. `address` is an IP literal. */
export function classifyAddress(address: string): ForbiddenDestination | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = parseIPv4(bare);
  if (v4) {
    const hit = classifyV4(v4);
    return hit && { address, ...hit };
  }
  const v6 = bare.includes(":") ? parseIPv6(bare) : null;
  if (!v6) return null;
  if (v6[0] === 0xfe && (v6[1]! & 0xc0) === 0x80) return { address, ...LINK_LOCAL_V6 };
  const metadata = METADATA_V6[v6Text(v6)];
  if (metadata) return { address, range: `${v6Text(v6)}/128`, what: metadata };
  for (const inner of embeddedV4(v6)) {
    const hit = classifyV4(inner);
    if (hit) return { address, embedded: v4Text(inner), ...hit };
  }
  return null;
}

export function describeForbidden(f: ForbiddenDestination): string {
  return `${f.address}${f.embedded ? ` (which carries ${f.embedded})` : ""} is ${f.what}, in ${f.range}`;
}

/**
 * For input validation: the forbidden destination a host (or URL hostname)
 * names literally, however it is spelled. Hosts are canonicalized the way a
 * URL parser does (so "2852039166", "0xa9fea9fe" and "0251.0376.0251.0376"
 * are 169.254.169.254). Names are not resolved here: the connect-time check
 * does that, every time.
 */
export function literalDestinationProblem(host: string): ForbiddenDestination | null {
  const trimmed = host.trim();
  const bare = trimmed.replace(/^\[|\]$/g, "");
  if (bare.includes(":")) {
    const forbidden = classifyAddress(bare);
    return forbidden && { ...forbidden, address: trimmed };
  }
  let canonical = bare;
  try {
    canonical = new URL(`http://${bare}/`).hostname;
  } catch {
    return null;
  }
  const forbidden = classifyAddress(canonical);
  return forbidden && { ...forbidden, address: canonical === bare ? bare : `${bare} (${canonical})` };
}
