// JSON from outside that PostgreSQL can store and a recursive walk survives:
// the console's API and the agent parse request bodies with the same rules.

/**
 * Deeper than any body this console or an agent takes (a configuration, the
 * deepest, is under ten levels), and far from where anything that walks a
 * value recursively (zod, JSON.stringify, Prisma) runs out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Where an untrusted JSON text went wrong, as a path ("body.name") or a character position. */
export type JsonRefusal = { kind: "syntax" | "depth" | "text"; where: string; message: string };

/**
 * Parses JSON from outside: refused before JSON.parse builds anything when it
 * nests deeper than `maxDepth` (20,000 levels fit in 64 KiB, and the first
 * recursive walk over such a value overflows the stack: a 500), and after it
 * when a string or key holds what no column can store (see findBadText).
 */
export function parseUntrustedJson(text: string, root = "body", maxDepth = MAX_JSON_DEPTH): { ok: true; value: unknown } | { ok: false; refusal: JsonRefusal } {
  const deep = depthOverflowAt(text, maxDepth);
  if (deep >= 0) {
    return { ok: false, refusal: { kind: "depth", where: root, message: `${root} is nested more than ${maxDepth} levels deep (at character ${deep + 1})` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, refusal: { kind: "syntax", where: root, message: `Malformed JSON: ${(error as Error).message}` } };
  }
  const bad = findBadText(value, root);
  if (bad) return { ok: false, refusal: { kind: "text", where: bad.path, message: badTextMessage(bad) } };
  return { ok: true, value };
}

/**
 * The index of the bracket that opens level maxDepth + 1, or -1. A linear
 * scan that only tracks strings and brackets: whether the text is valid JSON
 * is JSON.parse's business afterwards.
 */
export function depthOverflowAt(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

export type BadText = { path: string; problem: "nul" | "surrogate" };

// A lone UTF-16 surrogate ("\ud800" in JSON) is no Unicode text: PostgreSQL
// refuses it in json columns (the audit summary), and in text columns it
// would be silently stored as U+FFFD. With the u flag a well-formed pair is
// one code point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

function badChars(s: string): BadText["problem"] | null {
  if (s.includes("\u0000")) return "nul";
  if (LONE_SURROGATE.test(s)) return "surrogate";
  return null;
}

type Visit = { value: unknown; parent: Visit | null; key: string | null };

/** A path segment fit for a message: keys from outside can be huge. */
const segment = (key: string) => (key.length > 40 ? `${key.slice(0, 40)}…` : key);

function pathOf(visit: Visit, root: string): string {
  const parts: string[] = [];
  for (let v: Visit | null = visit; v && v.key !== null; v = v.parent) parts.push(segment(v.key));
  return [root, ...parts.reverse()].join(".");
}

/**
 * The first string or key holding a NUL (PostgreSQL text cannot store it) or
 * a lone UTF-16 surrogate. Iterative, so any depth is safe. An object's keys
 * are checked before its values, so a reported path never holds a bad key.
 */
export function findBadText(value: unknown, root = "body"): BadText | null {
  const stack: Visit[] = [{ value, parent: null, key: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const v = visit.value;
    if (typeof v === "string") {
      const problem = badChars(v);
      if (problem) return { path: pathOf(visit, root), problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: visit, key: String(i) });
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      for (const key of keys) {
        const problem = badChars(key);
        if (problem) return { path: `${pathOf(visit, root)} (a key)`, problem };
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]!], parent: visit, key: keys[i]! });
    }
  }
  return null;
}

export function badTextMessage(bad: BadText): string {
  return bad.problem === "nul"
    ? `${bad.path} holds a NUL character, which no field accepts`
    : `${bad.path} holds a lone UTF-16 surrogate (half of a character, such as \\ud800), which is not text`;
}
