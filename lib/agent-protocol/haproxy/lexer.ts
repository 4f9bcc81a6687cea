// HAProxy's configuration lexer, as HAProxy 2.6 cuts a line into words
// (configuration.txt §2.2), so that what the console and the agent check is
// exactly what HAProxy will read: `\x70idfile` is `pidfile`, `pid"file"` is
// `pidfile`, a `#` outside quotes starts a comment even inside a word, and a
// `$` inside double quotes is expanded from HAProxy's environment.
//
// Each word keeps its raw span in the line, so a masker can replace a value
// in place without touching anything around it.

export type HaproxyWord = {
  /** The word as HAProxy sees it: quotes removed, escapes decoded. */
  value: string;
  /** Raw span in the line, quotes and escapes included: text.slice(start, end). */
  start: number;
  end: number;
  /** True when HAProxy would expand an environment variable in it (an unescaped `$` inside double quotes). */
  expandsEnv: boolean;
  /** True when any part of the word was quoted or escaped (a keyword never needs to be). */
  quoted: boolean;
};

export type HaproxyLine = {
  /** 1-based line number in the content. */
  number: number;
  text: string;
  words: HaproxyWord[];
  /** Why HAProxy would refuse to cut this line (an unmatched quote). */
  error?: string;
};

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Escapes HAProxy decodes outside single quotes; any other `\c` stays as the two characters. */
function escape(next: string | undefined): string | null {
  switch (next) {
    case " ":
    case "\t":
    case "#":
    case "\\":
    case "'":
    case '"':
    case "$":
      return next;
    case "n":
      return "\n";
    case "r":
      return "\r";
    case "t":
      return "\t";
    default:
      return null;
  }
}

export function lexHaproxyLine(text: string): { words: HaproxyWord[]; error?: string } {
  const words: HaproxyWord[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Separators: spaces and tabs (other control characters are refused before lexing).
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
    if (i >= n || text[i] === "#") break;
    const start = i;
    let value = "";
    let expandsEnv = false;
    let quoted = false;
    let quote: "'" | '"' | null = null;
    while (i < n) {
      const c = text[i]!;
      if (quote === "'") {
        if (c === "'") quote = null;
        else value += c;
        i++;
        continue;
      }
      if (quote === null && (c === " " || c === "\t")) break;
      if (quote === null && c === "#") break;
      if (c === "\\") {
        quoted = true;
        const next = text[i + 1];
        if (next === "x") {
          if (!HEX.test(text.slice(i + 2, i + 4))) return { words, error: "truncated or invalid hexadecimal sequence (\\x needs two hex digits)" };
          value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        // HAProxy 2.6 decodes `\$` only inside double quotes (where `$` expands); elsewhere it keeps both characters.
        const decoded = next === "$" && quote !== '"' ? null : escape(next);
        if (decoded !== null) {
          value += decoded;
          i += 2;
        } else {
          value += c;
          i++;
        }
        continue;
      }
      if (c === '"') {
        quoted = true;
        quote = quote === '"' ? null : '"';
        i++;
        continue;
      }
      if (c === "'" && quote === null) {
        quoted = true;
        quote = "'";
        i++;
        continue;
      }
      if (c === "$" && quote === '"') expandsEnv = true;
      value += c;
      i++;
    }
    if (quote !== null) return { words, error: `unmatched ${quote === '"' ? "double" : "single"} quote` };
    words.push({ value, start, end: i, expandsEnv, quoted });
    if (i < n && text[i] === "#") break;
  }
  return { words };
}

export function lexHaproxy(content: string): HaproxyLine[] {
  return content.split("\n").map((text, index) => ({ number: index + 1, text, ...lexHaproxyLine(text) }));
}
