// What readers without config:write see of a configuration: the same text
// with every secret replaced by MASK. Admins see the text as it is deployed.
//
// The rule: a value is secret when what *names* it says so, or when it is the
// password of a URL. Secrets are found by parsing each carrier the way its
// consumer reads it, never by guessing at the characters a password may hold:
//
//   - URL userinfo: in any `scheme://` (postgresql, mysql, redis, http, …) the
//     password is what follows the first `:` of the userinfo, up to the `@`
//     that ends it, as the WHATWG URL parser cuts it (percent-encoded or raw).
//     For schemes other than the web ones, and whenever the WHATWG parser
//     refuses the text, libpq's reading is applied as well (userinfo is
//     everything before the last `@` ahead of the first `/`), so a raw `#` or
//     `?` in a database password is still found. In a web URL a user name
//     with no password is how tokens travel (https://<token>@host): hidden.
//   - Named values: the value of a JSON key (at any depth; the whole subtree),
//     a libpq conninfo / `key=value` / query parameter, or a `"key": value` or
//     `Key: value` header line, whose key is secret-named (isSecretName: it
//     says password, passwd, passphrase, pwd, pass, secret, token, api-key,
//     access-key, private-key, credential, auth, authorization, signature,
//     session-id, psk). conninfo values are read as libpq does: bare (with `\`
//     escapes) or single-quoted (with `\\` and `\'`).
//   - Credentials in their own syntax: `Bearer <token>`, `Basic <base64>`.
//   - HAProxy, word by word with the lexer HAProxy itself uses
//     (lib/agent-protocol/haproxy/lexer.ts), so quotes, escapes and `#` are read exactly as it
//     reads them. A word is secret when the words before it name it:
//       · a header name/value pair (set-header, add-header, early-hint,
//         replace-header, replace-value, `hdr` in http-check send, return and
//         http-check expect) whose header is credential-like
//         (isCredentialHeader: secret-named, or Cookie / Set-Cookie);
//       · an option keyword (a lower-case word after the directive, not in a
//         slot where the admin names something: an ACL, a section, a user, a
//         server) that is secret-named: `password`, `insecure-password`, and
//         any keyword HAProxy may add that says password, secret, token…;
//       · `auth <user>:<password>` (the part after the first colon);
//       · a secret-named variable being set (`set-var(txn.api_token)`,
//         `setenv DB_PASSWORD`);
//       · patterns matched against a credential (an ACL on `hdr(authorization)`,
//         a cookie, `http_auth_bearer`, `http_auth_pass`);
//       · what a `tcp-check send` says after AUTH or PASS (plain, in Redis's
//         RESP framing, or hex in send-binary);
//     and, in every word, whatever the rules above find in its decoded value
//     (a URL with a password, `token=…`, an `Authorization: …` line inside
//     `option httpchk`'s version string). A masked word's raw span, quotes and
//     escapes included, becomes MASK, so the line keeps its shape; a word only
//     partly secret is written back with its own kind of quoting. Commented-out
//     lines are masked like live ones.
//
// Conservative on doubt: a line HAProxy could not cut (an unmatched quote) is
// masked from the broken word to its end; a comment glued to a masked word
// (`password abc#def`: HAProxy reads abc, the admin meant abc#def) is masked;
// a line announcing a secret that is missing has its comment masked; an
// unterminated JSON string or quoted conninfo value is masked to the end of
// the text; text that should be JSON and is not is also read as `name: value`
// lines. Masking never throws (an unexpected failure masks every line whole),
// and reads each character a bounded number of times (a revision is read by
// anyone with config:read, so a slow masker would be a way to stall the
// console).
import type { ConfigKind } from "@/lib/agent-protocol/types";
import { lexHaproxyLine, type HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";

export const MASK = "••••••";

type Span = [start: number, end: number];
/** Collects what was masked, decoded, so messages that quote it can be redacted too. */
type Found = Set<string> | null;

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/** Substrings that make a (lower-cased, separator-free) word secret. */
const SECRET_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "passcode",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
  "credential",
  "authorization",
  "authentication",
  "signature",
  "sessionid",
  "sessid",
];
/** Whole words that are secret on their own. */
const SECRET_WORDS = new Set(["pass", "pwd", "pw", "auth", "psk"]);

/** `dbPassword`, `db_password`, `X-Api-Key`, `APIKey` → its words, lower-cased. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Whether a key, parameter, variable or keyword names a secret. */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (SECRET_WORDS.has(w)) return true;
    // One word that holds a part (`sslpassword`, `xapikey`), or two that spell one (`api`+`key`, `session`+`id`).
    const pair = i + 1 < words.length ? w + words[i + 1] : "";
    if (SECRET_PARTS.some((p) => w.includes(p) || pair === p)) return true;
  }
  return false;
}

/** Whether an HTTP header carries a credential: secret-named, or a cookie. */
export function isCredentialHeader(name: string): boolean {
  if (isSecretName(name)) return true;
  return nameWords(name).some((w) => w.includes("cookie"));
}

// ---------------------------------------------------------------------------
// Spans
// ---------------------------------------------------------------------------

function applySpans(s: string, spans: Span[], found: Found): string {
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

function record(found: Found, secret: string) {
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

const lineEndFrom = (s: string, from: number) => {
  for (let i = from; i < s.length; i++) if (s[i] === "\n" || s[i] === "\r") return i;
  return s.length;
};
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

/** End of a quoted value starting at `from` (the quote), `\` escaping the next character; the text's end if unterminated. */
function quotedEnd(s: string, from: number): number {
  const q = s[from];
  for (let j = from + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === q) return j + 1;
  }
  return s.length;
}

// ---------------------------------------------------------------------------
// URL userinfo
// ---------------------------------------------------------------------------

const SCHEME = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*):\/\//g;
/** WHATWG "special" schemes: their authority also ends at `\`, and a browser's reading is the only one. */
const WEB_SCHEMES = new Set(["http", "https", "ws", "wss", "ftp", "file"]);

/** How the WHATWG parser reads `candidate` (a URL cut at the end of its authority): parsed at all, with a user name, with a password. */
function whatwgUserinfo(candidate: string): { parsed: boolean; username: boolean; password: boolean } {
  try {
    const url = new URL(candidate);
    return { parsed: true, username: !!url.username, password: !!url.password };
  } catch {
    return { parsed: false, username: false, password: false };
  }
}

function urlPasswordSpans(s: string, spans: Span[]) {
  if (!s.includes("://")) return;
  let skipUntil = 0;
  for (const m of s.matchAll(SCHEME)) {
    const p = m.index;
    if (p < skipUntil) continue;
    const scheme = m[1]!.toLowerCase();
    const special = WEB_SCHEMES.has(scheme);
    const auth = p + m[0].length;
    // One pass to the first `/` (or the line's end): where the authority ends for WHATWG (also at ? # and, for
    // web schemes, \), where the first whitespace is, and where the last @ is. Each character is read once
    // per URL, and a URL's authority ends at the next one's "//", so a text is read a bounded number of times.
    let authorityEnd = -1;
    let tokenEnd = -1;
    let lastAt = -1;
    let i = auth;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === "/" || c === "\n" || c === "\r") break;
      if (authorityEnd < 0 && (c === "?" || c === "#" || (special && c === "\\"))) authorityEnd = i;
      if (tokenEnd < 0 && isSpace(c)) tokenEnd = i;
      if (c === "@") lastAt = i;
    }
    if (lastAt < 0) continue; // no userinfo, in any reading
    const slashEnd = i;
    if (authorityEnd < 0) authorityEnd = slashEnd;
    if (tokenEnd < 0) tokenEnd = slashEnd;
    // WHATWG, on the URL up to the first whitespace, then with whitespace kept (a raw password may hold a space).
    let end = -1;
    const tokenCut = Math.min(tokenEnd, authorityEnd);
    const onToken = whatwgUserinfo(s.slice(p, tokenCut));
    const tokenAt = s.lastIndexOf("@", tokenCut - 1);
    if (onToken.password && tokenAt >= auth) end = tokenAt;
    if (tokenEnd < authorityEnd && whatwgUserinfo(s.slice(p, authorityEnd)).password) end = Math.max(end, s.lastIndexOf("@", authorityEnd - 1));
    // libpq: the userinfo is what precedes the last @ before the first /.
    if ((!special || !onToken.parsed) && s.slice(auth, lastAt).includes(":")) end = Math.max(end, lastAt);
    const colon = end > auth ? s.indexOf(":", auth) : -1;
    if (colon >= 0 && colon + 1 < end) {
      spans.push([colon + 1, end]);
      skipUntil = end;
    } else if (end < 0 && special && onToken.username && !onToken.password && tokenAt >= auth) {
      // https://<token>@host: on the web a user name alone is how tokens travel (git, registries).
      spans.push([auth, tokenAt]);
      skipUntil = tokenAt;
    }
  }
}

// ---------------------------------------------------------------------------
// Free text: URLs, key=value, header lines, bearer tokens
// ---------------------------------------------------------------------------

/** `key=value` where the key starts the text or follows a separator (not inside a URL's userinfo or path). */
const KEY_VALUE = /(?<=^|[\s?&;,({[\]"'])([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*/g;
const HEADER_LINE = /(?:^|(?<=[\r\n]))[ \t]*([A-Za-z][A-Za-z0-9_.-]*)[ \t]*:(?!\/\/)/g;
const QUOTED_PAIR = /(["'])([A-Za-z_][A-Za-z0-9_. -]*)\1[ \t]*:[ \t]*/g;
const BEARER = /\b(?:Bearer|bearer|BEARER)[ \t]+([^\s"'<>]+)/g;
const BASIC = /\b(?:Basic|basic|BASIC)[ \t]+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g;

function keyValueSpans(s: string, spans: Span[]) {
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

function headerLineSpans(s: string, spans: Span[]) {
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

function tokenSpans(s: string, spans: Span[]) {
  for (const m of s.matchAll(BEARER)) spans.push([m.index + m[0].length - m[1]!.length, m.index + m[0].length]);
  for (const m of s.matchAll(BASIC)) {
    const token = m[1]!;
    // A base64 credential, not an English word after "basic".
    if (!/[0-9+/=]/.test(token) && !(/[a-z]/.test(token) && /[A-Z]/.test(token))) continue;
    spans.push([m.index + m[0].length - token.length, m.index + m[0].length]);
  }
}

function maskTextWith(s: string, found: Found): string {
  const spans: Span[] = [];
  urlPasswordSpans(s, spans);
  keyValueSpans(s, spans);
  headerLineSpans(s, spans);
  tokenSpans(s, spans);
  return applySpans(s, spans, found);
}

/** Masks the secrets any free text may carry (messages, reasons, settings values): URLs, key=value, header lines, tokens. */
export function maskText(text: string): string {
  try {
    return maskTextWith(text, null);
  } catch {
    return MASK;
  }
}

// ---------------------------------------------------------------------------
// JSON (app and PostgreSQL settings): lexical, so the text keeps its form
// ---------------------------------------------------------------------------

type Frame = { type: "root" | "obj" | "arr"; secret: boolean; key: string | null; expectKey: boolean };
const JSON_LITERALS = new Set(["true", "false", "null"]);

function maskJsonTextWith(text: string, found: Found, maskString: (s: string, found: Found) => string): string {
  const stack: Frame[] = [{ type: "root", secret: false, key: null, expectKey: false }];
  const top = () => stack[stack.length - 1]!;
  const valueIsSecret = () => {
    const f = top();
    return f.secret || (f.type === "obj" && f.key !== null && isSecretName(f.key));
  };
  let out = "";
  let at = 0;
  const replace = (start: number, end: number, by: string) => {
    out += text.slice(at, start) + by;
    at = end;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (isSpace(c)) i++;
    else if (c === "{" || c === "[") {
      stack.push({ type: c === "{" ? "obj" : "arr", secret: valueIsSecret(), key: null, expectKey: c === "{" });
      i++;
    } else if (c === "}" || c === "]") {
      if (stack.length > 1) stack.pop();
      i++;
    } else if (c === ":") {
      top().expectKey = false;
      i++;
    } else if (c === ",") {
      const f = top();
      if (f.type === "obj") {
        f.expectKey = true;
        f.key = null;
      }
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= n) {
        // Unterminated: whatever follows cannot be placed; hide it all.
        record(found, text.slice(i + 1));
        replace(i, n, `"${MASK}`);
        i = n;
        break;
      }
      const raw = text.slice(i, j + 1);
      let decoded: string | null;
      try {
        decoded = JSON.parse(raw) as string;
      } catch {
        decoded = null;
      }
      const f = top();
      if (f.type === "obj" && f.expectKey) {
        f.key = decoded ?? raw.slice(1, -1);
        f.expectKey = false;
      } else if (valueIsSecret()) {
        record(found, decoded ?? raw.slice(1, -1));
        record(found, raw.slice(1, -1));
        replace(i, j + 1, `"${MASK}"`);
      } else if (decoded !== null) {
        const masked = maskString(decoded, found);
        if (masked !== decoded) replace(i, j + 1, JSON.stringify(masked));
      } else {
        const inner = raw.slice(1, -1);
        const masked = maskString(inner, found);
        if (masked !== inner) replace(i, j + 1, `"${masked}"`);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !isSpace(text[j]) && !'{}[]:,"'.includes(text[j]!)) j++;
      const literal = text.slice(i, j);
      if (valueIsSecret() && !JSON_LITERALS.has(literal)) {
        record(found, literal);
        replace(i, j, `"${MASK}"`);
      }
      i = j;
    }
  }
  out += text.slice(at);
  return out;
}

function maskJsonText(text: string, found: Found): string {
  const masked = maskJsonTextWith(text, found, maskTextWith);
  try {
    JSON.parse(text);
    return masked;
  } catch {
    // Not JSON (a file edited by hand on a target): also read each line as `name: value` or `name = value`.
    return masked
      .split("\n")
      .map((line) => maskLooseLine(line, found))
      .join("\n");
  }
}

/** A line of something that is not JSON: the rest of it when it starts with a secret name and `:` or `=`. */
function maskLooseLine(line: string, found: Found): string {
  const m = /^([ \t]*["']?)([A-Za-z_][A-Za-z0-9_.-]*)(["']?[ \t]*[:=][ \t]*)(.*)$/.exec(line);
  if (m && isSecretName(m[2]!) && m[4] && !m[4].includes(MASK)) {
    record(found, m[4]);
    return `${m[1]}${m[2]}${m[3]}${MASK}`;
  }
  return maskTextWith(line, found);
}

// ---------------------------------------------------------------------------
// HAProxy
// ---------------------------------------------------------------------------

/** Keywords whose next word is a name an admin chose (an ACL, a section, a user, a server), never a password. */
const NAMES_NEXT = new Set([
  "acl",
  "backend",
  "frontend",
  "listen",
  "defaults",
  "userlist",
  "user",
  "group",
  "peers",
  "peer",
  "server",
  "default-server",
  "server-template",
  "resolvers",
  "nameserver",
  "mailers",
  "mailer",
  "cache",
  "ring",
  "program",
  "http-errors",
  "use_backend",
  "default_backend",
  "use-server",
  "filter",
]);
const CONDITION = new Set(["if", "unless"]);
/** Words that shape a rule or a condition, never a value. */
const STRUCTURAL = new Set(["if", "unless", "{", "}", "||", "or", "!"]);
const PATTERN_END = new Set(["}", "||", "or", "if", "unless"]);
const SETS_HEADER = new Set(["set-header", "add-header", "early-hint"]);
const REPLACES_HEADER = new Set(["replace-header", "replace-value"]);
const HEADER_FETCH = /^(?:(?:req|res)\.)?(f?hdr(?:_[a-z]+)?|f?hdrs?|s?cook(?:_[a-z]+)?|req\.cook|res\.cook)\(([^,)]*)/i;
const CREDENTIAL_FETCH = /^(?:http_auth_bearer|http_auth_pass)\b/i;
const SET_VAR = /^(?:set-var(?:-fmt)?|unset-var)\(([^,)]*)/i;
const KEYWORD = /^[a-z][a-z0-9-]*$/;

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

type WordMask = { whole: Set<number>; partial: Map<number, string>; tail: boolean };

function haproxyRules(words: HaproxyWord[], found: Found): WordMask {
  const v = words.map((w) => w.value);
  const kw = v.map((x) => x.toLowerCase());
  const n = words.length;
  const result: WordMask = { whole: new Set(), partial: new Map(), tail: false };
  let inCondition = false;
  const maskWord = (j: number) => {
    if (j >= n) result.tail = true;
    else result.whole.add(j);
  };
  const maskUntilCondition = (from: number) => {
    if (from >= n) result.tail = true;
    for (let j = from; j < n && !CONDITION.has(kw[j]!); j++) result.whole.add(j);
  };
  const skipMatchFlags = (j: number) => {
    while (j < n && (kw[j] === "-m" || kw[j] === "-i")) j += kw[j] === "-m" ? 2 : 1;
    return j;
  };

  for (let i = 0; i < n; i++) {
    const k = kw[i]!;
    // A word already known to be a value is never read as a keyword (a password may well be "pw-token").
    if (result.whole.has(i)) continue;
    // Header name/value pairs.
    if (SETS_HEADER.has(k) && i + 1 < n && isCredentialHeader(v[i + 1]!)) maskUntilCondition(i + 2);
    else if (REPLACES_HEADER.has(k) && i + 1 < n && isCredentialHeader(v[i + 1]!)) maskUntilCondition(i + 2);
    else if (k === "hdr" && i >= 1) {
      if (kw[i + 1] === "name") {
        // http-check expect hdr name [-m meth] <name> [value [-m meth] <value>]
        const nameAt = skipMatchFlags(i + 2);
        if (nameAt < n && isCredentialHeader(v[nameAt]!)) {
          const valueKw = kw.indexOf("value", nameAt + 1);
          if (valueKw > 0) maskWord(skipMatchFlags(valueKw + 1));
        }
      } else if (i + 1 < n && isCredentialHeader(v[i + 1]!)) maskWord(i + 2);
    }
    // `password <v>`, `insecure-password <v>`, any secret-named option keyword.
    else if (
      i >= 1 &&
      !words[i]!.quoted &&
      KEYWORD.test(k) &&
      k !== "auth" &&
      isSecretName(k) &&
      !(i === 1 && NAMES_NEXT.has(kw[0]!)) &&
      !STRUCTURAL.has(kw[i + 1] ?? "")
    )
      maskWord(i + 1);
    // `stats auth <user>:<password>`
    else if (k === "auth" && i >= 1) {
      const pair = v[i + 1];
      if (pair === undefined) {
        if (kw[i - 1] === "stats") result.tail = true;
      } else if (pair.includes(":")) {
        const colon = pair.indexOf(":");
        record(found, pair.slice(colon + 1));
        result.partial.set(i + 1, pair.slice(0, colon + 1) + MASK);
      }
    }
    if (CONDITION.has(k) || k === "{") inCondition = true;
    // Patterns compared with a credential, in an ACL or a condition: `req.hdr(authorization) -m str "Bearer x"`, `req.cook(sid) abc`.
    if (inCondition || (i === 2 && kw[0] === "acl")) {
      const fetch = HEADER_FETCH.exec(v[i]!);
      const credential = fetch ? /cook/i.test(fetch[1]!) || isCredentialHeader(fetch[2]!.trim()) : CREDENTIAL_FETCH.test(v[i]!);
      if (credential) {
        let literal = false;
        for (let j = i + 1; j < n; j++) {
          const p = kw[j]!;
          if (!literal && PATTERN_END.has(p)) break;
          if (!literal && (p === "-m" || p === "-f" || p === "-M")) j++;
          else if (!literal && p === "--") literal = true;
          else if (!literal && /^-[a-z]$/.test(p)) continue;
          else result.whole.add(j);
        }
      }
    }
    // `setenv DB_PASSWORD <v>`, `presetenv API_TOKEN <v>`
    if (i === 0 && (k === "setenv" || k === "presetenv") && n > 1 && isSecretName(v[1]!)) maskUntilCondition(2);
    if (i >= 1) {
      const setVar = SET_VAR.exec(v[i]!);
      if (setVar && isSecretName(setVar[1]!.replace(/^(proc|sess|txn|req|res|check)\./i, ""))) maskUntilCondition(i + 1);
    }
  }
  // tcp-check send "AUTH <password>\r\n" (or RESP: "*2\r\n$4\r\nAUTH\r\n$6\r\n<password>\r\n"): what follows the verb.
  if (kw[0] === "tcp-check" && n > 2 && !result.whole.has(2)) {
    const payload = v[2]!;
    if (kw[1] === "send-binary" || kw[1] === "send-binary-lf") {
      const bytes = /^(?:[0-9a-f]{2})+$/i.test(payload) ? payload.replace(/../g, (h) => String.fromCharCode(parseInt(h, 16))) : payload;
      if (/AUTH|PASS/i.test(bytes)) maskUntilCondition(2);
    } else if (kw[1] === "send" || kw[1] === "send-lf") {
      // The verb alone, its argument in the next word (which HAProxy refuses, but still must not be shown).
      if (/^\s*(AUTH|PASS)\s*$/i.test(payload)) maskUntilCondition(3);
      let masked = payload.replace(/(^|[\r\n])([ \t]*(?:AUTH|PASS)[ \t]+)([^\r\n]*)/gi, (_m, lead: string, verb: string, secret: string) => {
        record(found, secret);
        return `${lead}${verb}${MASK}`;
      });
      const resp = /(?:^|[\r\n])(?:AUTH|PASS)\r?\n/i.exec(masked);
      if (resp && resp.index + resp[0].length < masked.length) {
        record(found, masked.slice(resp.index + resp[0].length));
        masked = masked.slice(0, resp.index + resp[0].length) + MASK;
      }
      if (masked !== payload) result.partial.set(2, masked);
    }
  }
  return result;
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

function maskHaproxyText(text: string, found: Found): string {
  return text
    .split("\n")
    .map((line) => {
      const cr = line.endsWith("\r");
      const body = cr ? line.slice(0, -1) : line;
      return maskHaproxyLine(body, found) + (cr ? "\r" : "");
    })
    .join("\n");
}

// ---------------------------------------------------------------------------
// Public: configurations, inputs, data
// ---------------------------------------------------------------------------

function maskTextOfKind(kind: ConfigKind | null, text: string, found: Found): string {
  if (kind === "HAPROXY") return maskHaproxyText(text, found);
  if (kind === "APP" || kind === "POSTGRES") return maskJsonText(text, found);
  return /^\s*[{[]/.test(text) ? maskJsonText(text, found) : maskHaproxyText(text, found);
}

/** Every line hidden: what masking falls back to if it ever fails. */
function maskAllLines(text: string): string {
  return text
    .split("\n")
    .map((l) => (l.trim() ? `${/^\s*/.exec(l)![0]}${MASK}` : l))
    .join("\n");
}

/** A configuration's text (a revision's content, a running file, a candidate) as a reader without config:write sees it. */
export function maskConfigText(kind: ConfigKind | null, text: string): string {
  try {
    return maskTextOfKind(kind, text, null);
  } catch {
    return maskAllLines(text);
  }
}

/**
 * The secrets a configuration's text holds, as written and decoded, so that a
 * message quoting one (an agent's or haproxy -c's complaint) can be redacted.
 */
export function configSecrets(kind: ConfigKind | null, text: string): string[] {
  const found = new Set<string>();
  try {
    maskTextOfKind(kind, text, found);
  } catch {
    // whatever was found before the failure is still worth redacting
  }
  return [...found].filter((s) => s.length >= 3 && s !== MASK).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given secrets in a message. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

function maskWhole(value: unknown): unknown {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return MASK;
  if (Array.isArray(value)) return value.map(maskWhole);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, maskWhole(x)]));
  return value;
}

function maskValue(value: unknown, maskString: (s: string) => string, keyMask: (v: unknown) => unknown): unknown {
  if (typeof value === "string") return maskString(value);
  if (Array.isArray(value)) return value.map((x) => maskValue(x, maskString, keyMask));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, isSecretName(k) ? keyMask(x) : maskValue(x, maskString, keyMask)]));
  }
  return value;
}

/**
 * A stored input (what an admin edits) as a reader without config:write sees
 * it: values under secret-named keys hidden whole, and every string masked as
 * its kind reads it (HAProxy's free-form lines as HAProxy lines).
 */
export function maskConfigInput<T>(kind: ConfigKind | null, input: T): T {
  try {
    const maskString = kind === "HAPROXY" ? (s: string) => maskHaproxyText(s, null) : (s: string) => maskTextWith(s, null);
    return maskValue(input, maskString, maskWhole) as T;
  } catch {
    return MASK as T;
  }
}

/**
 * Data anyone may read that may quote a configuration or a URL (event data,
 * audit summaries, operation params and steps): strings masked as free text,
 * strings under secret-named keys hidden.
 */
export function maskData<T>(value: T): T {
  const text = (s: string) => maskTextWith(s, null);
  const named = (x: unknown): unknown => (typeof x === "string" ? MASK : maskValue(x, text, named));
  try {
    return maskValue(value, text, named) as T;
  } catch {
    return value;
  }
}
