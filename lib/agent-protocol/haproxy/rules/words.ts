// Checks every word of every line gets, whatever its directive: HAProxy's
// environment ($VAR in double quotes, env()), NUL, Lua, unix sockets and
// inherited descriptors, and files named inside expressions.

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { LOCAL_ADDRESS } from "@/lib/agent-protocol/haproxy/rules/addresses";
import { checkFile, fileArguments } from "@/lib/agent-protocol/haproxy/rules/files";
import { clip, refuse, type Check } from "@/lib/agent-protocol/haproxy/rules/report";

/** Checks that apply to every word of every line, whatever the directive. */
export function checkWords(c: Check, words: HaproxyWord[], luaAllowed: boolean): void {
  for (const [i, w] of words.entries()) {
    if (w.expandsEnv) refuse(c, `"${clip(w.value)}": a $ inside double quotes is expanded from HAProxy's environment; write \\$ or use single quotes`);
    if (w.value.includes("\u0000")) refuse(c, "a NUL character (\\x00) cuts a word short where HAProxy reads it");
    if (/(?<![A-Za-z0-9_.-])env\(/i.test(w.value)) refuse(c, `"${clip(w.value)}": the env() fetch reads HAProxy's environment`);
    if (!luaAllowed && /(?<![A-Za-z0-9_.-])lua\./i.test(w.value)) refuse(c, `"${clip(w.value)}": Lua runs as root and is outside the safe set`);
    if (LOCAL_ADDRESS.test(w.value))
      refuse(c, `"${clip(w.value)}": unix sockets, abstract sockets and inherited descriptors are not network addresses; only the agent places sockets`);
    for (const file of fileArguments(w.value)) checkFile(c, file, `"${clip(w.value)}"`);
    // ACL flags: `-f <file>` loads patterns from a file.
    if (w.value === "-f" && !w.quoted) checkFile(c, words[i + 1]?.value, "acl -f");
  }
}
