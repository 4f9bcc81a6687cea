// Secret-named `key=value` pairs: libpq conninfo (bare with `\` escapes, or
// single-quoted), query parameters, and the double-quoted values other
// key=value formats write.

import { isSecretName } from "@/lib/agent-protocol/mask/names";
import { isSpace, quotedEnd, type Span } from "@/lib/agent-protocol/mask/spans";

/** `key=value` where the key starts the text or follows a separator (not inside a URL's userinfo or path). */
const KEY_VALUE = /(?<=^|[\s?&;,({[\]"'])([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/g;

export function keyValueSpans(s: string, spans: Span[]) {
  if (!s.includes("=")) return;
  let skipUntil = 0;
  for (const m of s.matchAll(KEY_VALUE)) {
    // Inside a value already hidden: not read again (also keeps the work linear).
    if (m.index < skipUntil || !isSecretName(m[1]!)) continue;
    const start = m.index + m[0].length;
    if (start >= s.length) continue;
    const before = m.index > 0 ? s[m.index - 1] : "";
    const query = before === "?" || before === "&" || before === ";";
    let end: number;
    if (s[start] === "'") end = quotedEnd(s, start);
    else {
      // Bare, as libpq reads it (to whitespace, `\` escaping the next character)…
      end = start;
      while (end < s.length) {
        const c = s[end]!;
        if (isSpace(c) || (query && (c === "&" || c === "#" || c === ";"))) break;
        end += c === "\\" ? 2 : 1;
      }
      end = Math.min(end, s.length);
      // …or double-quoted, as other key=value formats write it, whichever hides more.
      if (s[start] === '"') {
        // To the next quote on the same line (between two quotes: each stretch of text is read once).
        const close = s.indexOf('"', start + 1);
        if (close > 0 && !/[\r\n]/.test(s.slice(start, close))) end = Math.max(end, close + 1);
      }
    }
    if (end > start) {
      spans.push([start, end]);
      skipUntil = end;
    }
  }
}
