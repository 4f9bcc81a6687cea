// An HAProxy configuration, line by line with HAProxy's own lexer: the words
// ./haproxy-words.ts marks are hidden whole, every other word is masked as
// free text and written back in its own quoting, and a comment is masked as
// the directive it often is.

import { lexHaproxyLine } from "@/lib/agent-protocol/haproxy/lexer";
import { haproxyRules } from "@/lib/agent-protocol/mask/haproxy-words";
import { MASK, record, type Found } from "@/lib/agent-protocol/mask/spans";
import { maskTextWith } from "@/lib/agent-protocol/mask/text";

/** Writes a decoded value back as one HAProxy word, in the quoting its original used. */
function requote(value: string, raw: string): string {
  const control = (c: string) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  };
  if (raw.startsWith("'") && !/['\x00-\x1f\x7f]/.test(value)) return `'${value}'`;
  if (raw.startsWith('"')) return `"${value.replace(/[\\"]/g, "\\$&").replace(/[\x00-\x1f\x7f]/g, control)}"`;
  return value.replace(/[ #\\'"$]/g, "\\$&").replace(/[\x00-\x1f\x7f]/g, control);
}

function maskHaproxyLine(line: string, found: Found, inComment = false, depth = 0): string {
  const lexed = lexHaproxyLine(line);
  const words = lexed.words;
  const rules = haproxyRules(words, found);
  let out = "";
  let at = 0;
  let lastMasked = false;
  words.forEach((w, index) => {
    out += line.slice(at, w.start);
    const raw = line.slice(w.start, w.end);
    lastMasked = true;
    if (rules.whole.has(index)) {
      record(found, w.value);
      record(found, raw);
      out += MASK;
    } else {
      const partly = rules.partial.get(index) ?? w.value;
      const masked = maskTextWith(partly, found);
      lastMasked = masked !== w.value;
      out += lastMasked ? requote(masked, raw) : raw;
    }
    at = w.end;
  });
  // What the lexer did not turn into words: spaces, then a comment or a line it could not cut.
  let k = at;
  while (k < line.length && (line[k] === " " || line[k] === "\t")) k++;
  out += line.slice(at, k);
  const rest = line.slice(k);
  if (rest === "") return out;
  if (lexed.error) {
    // HAProxy would refuse this line: never show what follows the broken word, unless it is prose in a comment.
    if (!inComment || rules.tail || maskTextWith(rest, null) !== rest || /password|secret|token|auth|key/i.test(rest)) {
      record(found, rest);
      return out + MASK;
    }
    return out + rest;
  }
  if (rules.tail || (lastMasked && k === at)) {
    // The secret the line announces is missing, or a `#` cut a secret short (`password abc#def`): whatever follows may be it.
    record(found, rest.slice(1));
    return out + "#" + MASK;
  }
  // A comment: often a directive switched off, so masked as one, then as prose (`# password: x`).
  const body = rest.slice(1);
  return out + "#" + maskTextWith(depth < 4 ? maskHaproxyLine(body, found, true, depth + 1) : body, found);
}

export function maskHaproxyText(text: string, found: Found): string {
  return text
    .split("\n")
    .map((line) => {
      const cr = line.endsWith("\r");
      const body = cr ? line.slice(0, -1) : line;
      return maskHaproxyLine(body, found) + (cr ? "\r" : "");
    })
    .join("\n");
}
