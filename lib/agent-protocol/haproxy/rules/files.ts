// Files: HAProxy reads them as root, so every path an argument names must be
// one the agent's config lists, clean and absolute. Also the agent's own test
// for a clean path.

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import type { HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules/policy";
import { CONTROL, clip, refuse, type Check } from "@/lib/agent-protocol/haproxy/rules/report";

function describeFileRule(policy: HaproxyPolicy): string {
  return policy.files.length
    ? `the agent allows only ${policy.files.slice(0, 5).join(", ")}${policy.files.length > 5 ? ", …" : ""}`
    : "the agent's config allows no files (haproxy.allow.files)";
}

/** True when `file` is one the policy lists: the exact path, or under a listed folder ("…/"). */
export function fileAllowed(file: string, policy: HaproxyPolicy): boolean {
  if (!isCleanAbsolutePath(file)) return false;
  return policy.files.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) && file.length > entry.length : file === entry));
}

/** Absolute, no "." or ".." segments, no "//": the path is what it says. */
export function isCleanAbsolutePath(p: string): boolean {
  if (!p.startsWith("/") || p.includes("//") || CONTROL.test(p)) return false;
  return !p.split("/").some((segment) => segment === "." || segment === "..");
}

/**
 * The file names inside sample expressions and actions: `map*(file,…)`,
 * `set-map(file)`, `del-map(file)`, `add-acl(file)`, `del-acl(file)`. The
 * argument may be quoted again at the expression level; those quotes and
 * backslashes are dropped, which can only make the name stricter.
 */
export function fileArguments(word: string): string[] {
  const out: string[] = [];
  const re = /(?<![A-Za-z0-9_.-])(map(?:_[a-z0-9_]+)?|set-map|del-map|add-acl|del-acl)\(([^),]*)/gi;
  for (const m of word.matchAll(re)) out.push(m[2]!.replace(/["'\\]/g, ""));
  // jwt_verify(alg, key): the key is an HMAC secret, a variable, or a certificate file HAProxy reads at start.
  for (const m of word.matchAll(/(?<![A-Za-z0-9_.-])jwt_verify\([^,)]*,([^)]*)/gi)) {
    const key = m[1]!.replace(/["'\\]/g, "").trim();
    if (key.includes("/") && !/^(proc|sess|txn|req|res)\./.test(key)) out.push(key);
  }
  return out;
}

export function checkFile(c: Check, file: string | undefined, what: string): void {
  if (file === undefined) return; // HAProxy reports the missing argument itself
  if (!fileAllowed(file, c.policy)) refuse(c, `${what} reads the file "${clip(file)}" as root; ${describeFileRule(c.policy)}`);
}

/** `return`/`http-error` bodies: `file`, `lf-file` and `errorfile` name files. */
export function checkBodyFiles(c: Check, words: HaproxyWord[], from: number): void {
  for (let i = from; i < words.length; i++) {
    const w = words[i]!.value;
    if (w === "file" || w === "lf-file" || w === "errorfile") {
      checkFile(c, words[i + 1]?.value, `"${w}"`);
      i++;
    }
  }
}

/** Directives the host's owner allowed: every argument that looks like a path must be an allowed file. */
export function checkExtraDirective(c: Check, words: HaproxyWord[], from: number): void {
  for (const w of words.slice(from)) {
    if (/^(\/|~|\.\.?\/)/.test(w.value)) checkFile(c, w.value, `"${clip(w.value)}"`);
  }
}
