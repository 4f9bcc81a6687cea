// Shared by the fuzzers (e2e/api/fuzz.spec.ts, agent/fuzz.test.ts): a seeded
// PRNG, so a failing run is replayed exactly with FUZZ_SEED=<seed>, and the
// hostile values both throw at their targets.
import net from "node:net";

/** The run's seed: FUZZ_SEED when given, else a fresh one. Printed so a failure can be replayed. */
export function fuzzSeed(label: string): number {
  const given = process.env.FUZZ_SEED;
  const seed = given !== undefined && given !== "" ? Number(given) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  console.log(`${label}: seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }
  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of choices) {
      if ((r -= w) < 0) return v;
    }
    return choices[choices.length - 1]![1];
  }
  string(length: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
  bytes(length: number): Buffer {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i++) b[i] = this.int(256);
    return b;
  }
}

/** Strings that have broken parsers, loggers, databases and renderers before. */
export const NASTY_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0000".repeat(64),
  "\u0001\u0002\u0003\u001b[31mred\u001b[0m",
  "\r\n\r\nHTTP/1.1 200 OK\r\n",
  "line\nbreak",
  "tab\there",
  "\u202eevil\u202c",
  "\ufeffbom",
  "\ud800",
  "\udfff\ud800",
  "a\udc00b",
  "😀\ud83d",
  "😀🔥💥",
  "Ω≈ç√∫˜µ≤≥÷",
  "ﷺ",
  "e\u0301\u0301\u0301\u0301\u0301",
  "<script>alert(1)</script>",
  '\'; DROP TABLE "User"; --',
  '" OR 1=1 --',
  "${jndi:ldap://x/a}",
  "{{7*7}}",
  "%s%s%s%n",
  "%00",
  "%E0%A4%A",
  "../../../../etc/passwd",
  "..\\..\\windows",
  "/dev/zero",
  "file:///etc/shadow",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "9".repeat(400),
  "true",
  "[]",
  "{}",
  "a".repeat(64),
  "a".repeat(501),
  "x".repeat(5000),
  "\\",
  "\\u0000",
  "postgresql://u:p@h/d",
  "http://127.0.0.1:1/",
  "http://[::1",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z",
  "1970-01-01T00:00:00+25:00",
  "2024-02-30T00:00:00Z",
];

/** Halves of a UTF-16 pair alone, or in the wrong order: JSON.stringify writes them as \ud800-style escapes. */
export const LONE_SURROGATES: readonly string[] = ["\ud800", "\udbff", "\udc00", "\udfff", "x\ud83d", "\ude00x", "\udfff\ud800", "😀\ud800"];

/**
 * Request lines no browser sends to an origin server, each answered before
 * the app: an odd method (TRACE echoes credentials; CONNECT asks for a
 * tunnel) or a target that is not a path (asterisk-, absolute- and
 * authority-form, or a percent-encoding that is not UTF-8).
 */
export const ODD_REQUEST_LINES: ReadonlyArray<{ name: string; line: string; kind: "method" | "target" }> = [
  { name: "TRACE", line: "TRACE /api/v1/health HTTP/1.1", kind: "method" },
  { name: "TRACK", line: "TRACK /api/v1/health HTTP/1.1", kind: "method" },
  { name: "CONNECT to this host", line: "CONNECT 127.0.0.1:443 HTTP/1.1", kind: "method" },
  { name: "CONNECT elsewhere", line: "CONNECT evil.example:443 HTTP/1.1", kind: "method" },
  { name: "OPTIONS *", line: "OPTIONS * HTTP/1.1", kind: "target" },
  { name: "GET *", line: "GET * HTTP/1.1", kind: "target" },
  { name: "M-SEARCH *", line: "M-SEARCH * HTTP/1.1", kind: "target" },
  { name: "absolute-form", line: "GET http://evil.example/api/v1/health HTTP/1.1", kind: "target" },
  { name: "absolute-form, https, no path", line: "GET https://evil.example HTTP/1.1", kind: "target" },
  { name: "absolute-form POST to this host", line: "POST http://127.0.0.1/api/v1/clusters HTTP/1.1", kind: "target" },
  { name: "authority-form GET", line: "GET evil.example:443 HTTP/1.1", kind: "target" },
  { name: "relative target", line: "GET api/v1/health HTTP/1.1", kind: "target" },
  { name: "surrogate escape in the path", line: "GET /api/auth/%ED%A0%80 HTTP/1.1", kind: "target" },
  { name: "broken escape in a page path", line: "GET /nodes/%E0%A4%A HTTP/1.1", kind: "target" },
];

/** Numbers (as JSON text, since some are not representable as JS numbers in JSON.stringify). */
export const NASTY_NUMBER_TEXTS: readonly string[] = [
  "0",
  "-1",
  "-0",
  "0.5",
  "1.0000000000000002",
  "-2147483649",
  "2147483648",
  "9007199254740993",
  "-9007199254740993",
  "1e21",
  "1e308",
  "1e309",
  "-1e309",
  "5e-324",
  "123456789012345678901234567890",
  "1E400",
  "65536",
  "65535.5",
  "99999999",
];

/** Text that is not valid JSON (or is JSON of a surprising shape). */
export const BROKEN_JSON: readonly string[] = [
  "",
  "   ",
  "\r\n",
  "{",
  "}",
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  "{a:1}",
  "[1,2,",
  "NaN",
  "Infinity",
  "undefined",
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"a":"unterminated}',
  "\u0000{}",
  "\ufeff{}",
  "{} {}",
  "{}garbage",
  "/* c */ {}",
  '{"a":1 // c\n}',
  "null",
  "true",
  "0",
  '"string"',
  "[]",
  "[{}]",
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"a":1,"a":2}',
];

/** JSON text of `depth` nested arrays or objects. */
export function deepNesting(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** A random JSON value (any type, sometimes nested). */
export function randomValue(rng: Rng, depth = 0): unknown {
  const kind = rng.int(depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 0.5, -0.000001, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300, rng.int(1_000_000)]);
    case 3:
    case 4:
      return rng.pick(NASTY_STRINGS);
    case 5:
      return rng.string(rng.between(1, 30), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/@");
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    case 7:
    case 8: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        out[rng.pick(["a", "id", "name", "__proto__", "constructor", "input", "", " ", rng.pick(NASTY_STRINGS)])] = randomValue(rng, depth + 1);
      return out;
    }
  }
  return null;
}

/** A well-formed id no record has (cuid alphabet, but never issued). */
export function missingId(rng: Rng, length = 25): string {
  return "zz" + rng.string(length - 2);
}

/** A hand-written HTTP exchange: the request's chunks (with a gap between them), a half-close, and what came back. */
export type RawRequest = { name: string; chunks: Array<string | Buffer>; gapMs?: number };

/** Sends a RawRequest over a plain TCP connection; resolves with every byte answered (latin1) once the server closes, or after 3 s. */
export function rawExchange(host: string, port: number, request: RawRequest): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = net.connect(port, host);
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, 3000);
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on("error", () => {});
    socket.on("connect", async () => {
      for (const chunk of request.chunks) {
        if (socket.destroyed) break;
        socket.write(chunk);
        if (request.gapMs) await new Promise((res) => setTimeout(res, request.gapMs));
      }
      // Half-close: whatever was not sent will never come.
      socket.end();
    });
  });
}

/** The status codes of every HTTP answer in a raw exchange (pipelining may give several). */
export function statusCodes(answer: string): number[] {
  return [...answer.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}
