// The address classifier over generated spellings of forbidden addresses (every
// IPv6 form that carries an IPv4 one, URL-style IPv4 forms, case, leading
// zeros, zones), a generated set that must stay allowed, and the lookup wrapper
// with DNS stood in for (vi.spyOn(dns, "lookup")).
import dns from "node:dns";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fuzzSeed, Rng } from "@/lib/testing/fuzz";
import { classifyAddress, literalDestinationProblem } from "@/lib/agent-protocol/forbidden-address";
import { checkHost, DestinationRefused, guardedConnectOptions, guardedLookup, STRICT_DESTINATIONS } from "./destination-guard";

const rng = new Rng(fuzzSeed("destination-guard"));

const hex = (n: number, pad = false) => (pad ? n.toString(16).padStart(4, "0") : n.toString(16));
/** Eight groups from 16 bytes, in a random case and with or without leading zeros. */
function groupsOf(bytes: number[], style: { pad: boolean; upper: boolean }): string[] {
  const groups = Array.from({ length: 8 }, (_, i) => hex((bytes[2 * i]! << 8) | bytes[2 * i + 1]!, style.pad));
  return style.upper ? groups.map((g) => g.toUpperCase()) : groups;
}
/** Compresses the longest run of zero groups to "::" (or does not, at random). */
function spell(bytes: number[]): string {
  const groups = groupsOf(bytes, { pad: rng.chance(0.3), upper: rng.chance(0.3) });
  if (rng.chance(0.3)) return groups.join(":");
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (/^0+$/.test(groups[i]!)) {
      let j = i;
      while (j < 8 && /^0+$/.test(groups[j]!)) j++;
      if (j - i > best.len) best = { at: i, len: j - i };
      i = j;
    } else i++;
  }
  if (best.len < 2) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}
const v6 = (prefix: number[], v4: number[], suffix: number[] = []) => {
  const bytes = [...prefix, ...v4, ...suffix];
  if (bytes.length !== 16) throw new Error(`built ${bytes.length} bytes`);
  return bytes;
};
const z = (n: number) => Array<number>(n).fill(0);

/** Every IPv6 spelling we know of that reaches an IPv4 host. */
function carriers(v4: number[]): string[] {
  const [a, b, c, d] = v4 as [number, number, number, number];
  const dotted = v4.join(".");
  return [
    `::ffff:${dotted}`,
    `::FFFF:${dotted}`,
    `0:0:0:0:0:ffff:${dotted}`,
    spell(v6([...z(10), 0xff, 0xff], v4)), // IPv4-mapped
    spell(v6(z(12), v4)), // IPv4-compatible
    `::${dotted}`,
    spell(v6([...z(8), 0xff, 0xff, 0, 0], v4)), // SIIT
    `::ffff:0:${dotted}`,
    spell(v6([0, 0x64, 0xff, 0x9b, ...z(8)], v4)), // NAT64 well-known /96
    `64:ff9b::${dotted}`,
    spell(v6([0, 0x64, 0xff, 0x9b, 0, 1, ...z(6)], v4)), // local-use NAT64, IPv4 last
    spell([0, 0x64, 0xff, 0x9b, 0, 1, a, b, 0, c, d, ...z(5)]), // RFC 6052 /48 layout
    spell([0, 0x64, 0xff, 0x9b, a, b, c, d, ...z(8)]), // RFC 6052 /32
    spell([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, a, b, c, d, 0, 0, 0]), // RFC 6052 /64
    spell([0x20, 0x02, a, b, c, d, ...rng.bytes(10)]), // 6to4
    spell([0x20, 0x01, 0, 0, a, b, c, d, ...rng.bytes(4), ...rng.bytes(4)]), // Teredo server
    spell([0x20, 0x01, 0, 0, ...rng.bytes(4), ...rng.bytes(4), a ^ 0xff, b ^ 0xff, c ^ 0xff, d ^ 0xff]), // Teredo client
  ];
}

/** How a URL (and getaddrinfo) may spell an IPv4 address. */
function urlSpellings(v4: number[]): string[] {
  const [a, b, c, d] = v4 as [number, number, number, number];
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return [
    String(n),
    `0x${n.toString(16)}`,
    v4.map((x) => `0${x.toString(8)}`).join("."),
    v4.map((x) => `0x${x.toString(16)}`).join("."),
    `${a}.${b}.${(c << 8) + d}`,
    `${a}.${(b << 16) + (c << 8) + d}`,
  ];
}

const forbiddenV4 = (): number[][] => [
  [169, 254, 169, 254],
  [169, 254, 170, 2],
  [169, 254, 0, 0],
  [169, 254, 255, 255],
  [100, 100, 100, 200],
  [192, 0, 0, 192],
  [168, 63, 129, 16],
  ...Array.from({ length: 40 }, () => [169, 254, rng.int(256), rng.int(256)]),
];

describe("classifyAddress", () => {
  it("refuses link-local and metadata IPv4 addresses in every IPv6 form that carries them", () => {
    for (const v4 of forbiddenV4()) {
      expect(classifyAddress(v4.join(".")), v4.join(".")).not.toBeNull();
      for (const form of carriers(v4)) {
        const hit = classifyAddress(form);
        expect(hit, form).not.toBeNull();
        expect(hit!.embedded, form).toBe(v4.join("."));
        // Brackets, as in a URL's hostname, change nothing.
        expect(classifyAddress(`[${form}]`), `[${form}]`).not.toBeNull();
      }
    }
  });

  it("refuses the whole of fe80::/10, with or without a zone, and AWS's fd00:ec2::254", () => {
    for (let i = 0; i < 300; i++) {
      const bytes = [...rng.bytes(16)];
      bytes[0] = 0xfe;
      bytes[1] = 0x80 | (bytes[1]! & 0x3f);
      const text = spell(bytes);
      expect(classifyAddress(text), text).toMatchObject({ range: "fe80::/10" });
      expect(classifyAddress(`${text}%eth0`), `${text}%eth0`).toMatchObject({ range: "fe80::/10" });
    }
    for (const edge of ["fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "FE80::1%4", "fe80::fc:ff:fe00:1"])
      expect(classifyAddress(edge), edge).not.toBeNull();
    for (const form of ["fd00:ec2::254", "FD00:0EC2:0000:0000:0000:0000:0000:0254", "fd00:ec2:0:0:0:0:0:254"]) {
      expect(classifyAddress(form), form).toMatchObject({ range: "fd00:ec2:0:0:0:0:0:254/128" });
    }
  });

  it("allows everything else: neighbours of the ranges, private and public addresses, loopback", () => {
    const allowed = [
      "169.253.255.255",
      "169.255.0.0",
      "100.100.100.201",
      "192.0.0.191",
      "168.63.129.17",
      "127.0.0.1",
      "10.0.0.5",
      "192.168.1.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe7f:ffff::1",
      "fec0::1",
      "fd00::2",
      "fd00:ec2::253",
      "::ffff:10.0.0.1",
      "::ffff:127.0.0.1",
      "64:ff9b::10.0.0.1",
      "2002:a00:1::1",
      "2001:db8::1",
    ];
    for (const a of allowed) expect(classifyAddress(a), a).toBeNull();
    for (let i = 0; i < 500; i++) {
      let v4: number[];
      do v4 = [rng.int(256), rng.int(256), rng.int(256), rng.int(256)];
      while (v4[0] === 169 && v4[1] === 254);
      if (["100.100.100.200", "192.0.0.192", "168.63.129.16"].includes(v4.join("."))) continue;
      expect(classifyAddress(v4.join(".")), v4.join(".")).toBeNull();
      expect(classifyAddress(`::ffff:${v4.join(".")}`)).toBeNull();
      // Global unicast outside every range that embeds IPv4 (2400::/6 … 3fff::).
      const bytes = [0x24 + rng.int(0x1c), ...rng.bytes(15)];
      const text = spell(bytes);
      expect(classifyAddress(text), text).toBeNull();
    }
  });

  it("never throws on junk, and calls nothing an address that is not one", () => {
    for (const junk of [
      "",
      "[",
      "[]",
      ":",
      ":::",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "169.254.1",
      "g::1",
      "1::2::3",
      "fe80",
      "example.com",
      "169.254.169.254.nip.io",
      "::ffff:999.1.1.1",
    ]) {
      expect(() => classifyAddress(junk)).not.toThrow();
    }
    expect(classifyAddress("169.254.169.254.nip.io")).toBeNull();
    for (let i = 0; i < 2000; i++) expect(() => classifyAddress(rng.string(rng.int(50), "0123456789abcdef:.%[]ffx"))).not.toThrow();
  });
});

describe("literalDestinationProblem (input time)", () => {
  it("sees through every spelling a URL parser accepts", () => {
    for (const v4 of forbiddenV4().slice(0, 12)) {
      for (const form of [v4.join("."), ...urlSpellings(v4), ...carriers(v4).map((c) => `[${c}]`)]) {
        expect(literalDestinationProblem(form), form).not.toBeNull();
      }
    }
    expect(literalDestinationProblem("metadata.google.internal")).toBeNull(); // a name: the connect-time check resolves it
    expect(literalDestinationProblem("10.0.0.5")).toBeNull();
    expect(literalDestinationProblem("agent-1.internal")).toBeNull();
  });
});

describe("at connect time", () => {
  afterEach(() => vi.restoreAllMocks());

  function fakeDns(table: Record<string, dns.LookupAddress[]>) {
    vi.spyOn(dns, "lookup").mockImplementation(((host: string, _opts: unknown, cb: (e: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void) => {
      const found = table[host];
      setImmediate(() => (found ? cb(null, found) : cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), [])));
    }) as never);
  }
  const resolve = (lookup: ReturnType<typeof guardedLookup>, host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) =>
      lookup(host, { all }, (error, address, family) => done({ error, address, family })),
    );

  it("refuses a name that resolves to a forbidden address (even one among several), unless allowed", async () => {
    fakeDns({
      "meta.test": [{ address: "169.254.169.254", family: 4 }],
      "mixed.test": [
        { address: "10.0.0.7", family: 4 },
        { address: "::ffff:a9fe:a9fe", family: 6 },
      ],
      "ok.test": [{ address: "127.0.0.1", family: 4 }],
    });
    let allow = false;
    const lookup = guardedLookup(() => ({ allowLinkLocal: allow }));
    for (const all of [false, true]) {
      const meta = await resolve(lookup, "meta.test", all);
      expect(meta.error).toBeInstanceOf(DestinationRefused);
      expect(meta.error!.message).toBe(
        "refused to connect to meta.test, which resolves to 169.254.169.254, a link-local address (cloud metadata services answer at 169.254.169.254) in 169.254.0.0/16; an admin can allow link-local destinations in Settings",
      );
      expect((await resolve(lookup, "mixed.test", all)).error?.message).toMatch(
        /mixed\.test, which resolves to ::ffff:a9fe:a9fe \(carrying 169\.254\.169\.254\)/,
      );
      const ok = await resolve(lookup, "ok.test", all);
      expect(ok.error).toBeNull();
      expect(ok.address).toEqual(all ? [{ address: "127.0.0.1", family: 4 }] : "127.0.0.1");
      expect((await resolve(lookup, "nope.test", all)).error?.code).toBe("ENOTFOUND");
    }
    // The policy is read at each resolution.
    allow = true;
    expect((await resolve(lookup, "meta.test", false)).address).toBe("169.254.169.254");
  });

  it("refuses a forbidden literal before any connection (Node skips lookup for literals)", () => {
    for (const host of ["169.254.169.254", "[::ffff:a9fe:a9fe]", "[fe80::1]", "fe80::1%eth0", "100.100.100.200", "[fd00:ec2::254]"]) {
      expect(() => checkHost(host, STRICT_DESTINATIONS), host).toThrow(DestinationRefused);
      expect(() => guardedConnectOptions(host, () => STRICT_DESTINATIONS), host).toThrow(/an admin can allow link-local destinations/);
      expect(() => checkHost(host, { allowLinkLocal: true })).not.toThrow();
    }
    expect(() => checkHost("169.254.169.254", STRICT_DESTINATIONS)).toThrow("refused to connect to 169.254.169.254, which is a link-local address");
    expect(() => checkHost("127.0.0.1", STRICT_DESTINATIONS)).not.toThrow();
    expect(() => checkHost("agent.internal", STRICT_DESTINATIONS)).not.toThrow();
  });
});
