// Credentials in HTTP's own syntax: a `Name: value` header line or a
// `"name": value` pair whose name is credential-like, and `Bearer` / `Basic`
// tokens wherever they appear.

import { isCredentialHeader } from "@/lib/agent-protocol/mask/names";
import { isSpace, lineEndFrom, quotedEnd, type Span } from "@/lib/agent-protocol/mask/spans";

const HEADER_LINE = /(?:^|(?<=[\r\n]))[ \t]*([A-Za-z][A-Za-z0-9_.-]*)[ \t]*:(?!\/\/)/g;
const QUOTED_PAIR = /(["'])([A-Za-z_][A-Za-z0-9_. -]*)\1[ \t]*:[ \t]*/g;
const BEARER = /\b(?:Bearer|bearer|BEARER)[ \t]+([^\s"'<>]+)/g;
const BASIC = /\b(?:Basic|basic|BASIC)[ \t]+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g;

export function headerLineSpans(s: string, spans: Span[]) {
  if (!s.includes(":")) return;
  for (const m of s.matchAll(HEADER_LINE)) {
    if (!isCredentialHeader(m[1]!)) continue;
    let start = m.index + m[0].length;
    // At the very start of a text, `name:value` is as likely host:port; a header line has a space.
    if (m.index === 0 && !isSpace(s[start])) continue;
    while (start < s.length && (s[start] === " " || s[start] === "\t")) start++;
    const end = lineEndFrom(s, start);
    if (end > start) spans.push([start, end]);
  }
  let skipUntil = 0;
  for (const m of s.matchAll(QUOTED_PAIR)) {
    if (m.index < skipUntil || !isCredentialHeader(m[2]!)) continue;
    const start = m.index + m[0].length;
    if (start >= s.length) continue;
    let end: number;
    if (s[start] === '"' || s[start] === "'") end = quotedEnd(s, start);
    else {
      end = start;
      while (end < s.length && !/[\s,}\]]/.test(s[end]!)) end++;
    }
    if (end > start) {
      spans.push([start, end]);
      skipUntil = end;
    }
  }
}

export function tokenSpans(s: string, spans: Span[]) {
  for (const m of s.matchAll(BEARER)) spans.push([m.index + m[0].length - m[1]!.length, m.index + m[0].length]);
  for (const m of s.matchAll(BASIC)) {
    const token = m[1]!;
    // A base64 credential, not an English word after "basic".
    if (!/[0-9+/=]/.test(token) && !(/[a-z]/.test(token) && /[A-Z]/.test(token))) continue;
    spans.push([m.index + m[0].length - token.length, m.index + m[0].length]);
  }
}
