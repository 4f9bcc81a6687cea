// Which words of an HAProxy line are secret, judged by the words before them
// (a credential header, a secret-named keyword, `auth user:pass`, a secret
// variable, a pattern compared with a credential, what tcp-check sends after
// AUTH or PASS). The line is rewritten by ./haproxy.ts.

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { isCredentialHeader, isSecretName } from "@/lib/agent-protocol/mask/names";
import { MASK, record, type Found } from "@/lib/agent-protocol/mask/spans";

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

export type WordMask = { whole: Set<number>; partial: Map<number, string>; tail: boolean };

export function haproxyRules(words: HaproxyWord[], found: Found): WordMask {
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
