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
//
// The public entry. Each carrier has its module beside this one: names.ts,
// url.ts, key-value.ts, headers.ts (all read by text.ts for free text),
// json.ts, and haproxy-words.ts with haproxy.ts; spans.ts is where they write.
import type { ConfigKind } from "@/lib/agent-protocol/types";
import { maskHaproxyText } from "@/lib/agent-protocol/mask/haproxy";
import { maskJsonText } from "@/lib/agent-protocol/mask/json";
import { isCredentialHeader, isSecretName } from "@/lib/agent-protocol/mask/names";
import { MASK, type Found } from "@/lib/agent-protocol/mask/spans";
import { maskTextWith } from "@/lib/agent-protocol/mask/text";

export { MASK, isCredentialHeader, isSecretName };

/** Masks the secrets any free text may carry (messages, reasons, settings values): URLs, key=value, header lines, tokens. */
export function maskText(text: string): string {
  try {
    return maskTextWith(text, null);
  } catch {
    return MASK;
  }
}

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
