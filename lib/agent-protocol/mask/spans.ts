// Where masking writes: a secret's span becomes MASK, and what was hidden is
// recorded (decoded too) so a message quoting it can be redacted. Shared by
// every carrier, with the few character tests they all read text with.

export const MASK = "••••••";

export type Span = [start: number, end: number];
/** Collects what was masked, decoded, so messages that quote it can be redacted too. */
export type Found = Set<string> | null;

export function applySpans(s: string, spans: Span[], found: Found): string {
  if (!spans.length) return s;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Span[] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp[0] < last[1]) last[1] = Math.max(last[1], sp[1]);
    else merged.push([sp[0], sp[1]]);
  }
  let out = "";
  let at = 0;
  for (const [start, end] of merged) {
    record(found, s.slice(start, end));
    out += s.slice(at, start) + MASK;
    at = end;
  }
  return out + s.slice(at);
}

export function record(found: Found, secret: string) {
  if (!found || secret === "" || secret === MASK) return;
  found.add(secret);
  // The same secret as a message may quote it: unquoted, unescaped, decoded.
  const unquoted = /^(['"])([\s\S]*)\1$/.exec(secret)?.[2];
  if (unquoted !== undefined) found.add(unquoted.replace(/\\(.)/g, "$1"));
  try {
    found.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded
  }
}

export const lineEndFrom = (s: string, from: number) => {
  for (let i = from; i < s.length; i++) if (s[i] === "\n" || s[i] === "\r") return i;
  return s.length;
};
export const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

/** End of a quoted value starting at `from` (the quote), `\` escaping the next character; the text's end if unterminated. */
export function quotedEnd(s: string, from: number): number {
  const q = s[from];
  for (let j = from + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === q) return j + 1;
  }
  return s.length;
}
