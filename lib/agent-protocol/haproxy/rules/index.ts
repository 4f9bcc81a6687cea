// What an HAProxy configuration pushed by the console may contain. HAProxy
// runs as root and its configuration is code: a `program` section, Lua,
// external checks, `setenv`, a pidfile or admin socket at any path, a file
// read through `errorfile`, `acl -f`, `map()` or `http-request return file`
// would each make a console admin root on the load balancer host, or leak
// the host's files and environment. So a revision may only hold directives
// from a safe set, and their arguments are checked too:
//
// - directives: an allow-list per section; everything else is refused with
//   its line. The host's owner may allow more in the agent's own config
//   (`haproxy.allow.directives`); the console cannot.
// - files: any argument HAProxy reads as a file (certificates, error pages,
//   ACL and map files, log sockets) must be one the agent's config lists
//   (`haproxy.allow.files`; a path ending in "/" allows the files under it).
// - runtime: the pidfile and the admin socket are the agent's own paths,
//   exactly; no other unix socket, inherited descriptor or network namespace.
// - environment: `$VAR` inside double quotes (HAProxy expands it), the
//   `env()` fetch and `.if`/`.alert`-style directives are refused everywhere.
// - destinations: a server, check or resolver address that is link-local or a
//   cloud metadata service (169.254.169.254 and kin, however spelled) would
//   hand the host's cloud credentials to the load balancer's clients; refused
//   unless the agent's config allows it (`haproxy.allow.linkLocal`). A name
//   resolving there is the network's to stop: HAProxy resolves at run time.
//
// One set of rules, used by the console (so the editor shows a problem on its line
// before anything leaves the console) and by the agent (which checks again
// before a candidate reaches its disk or `haproxy -c`). Written against
// HAProxy 2.6's configuration manual; see lexHaproxy for how lines are cut.
//
// The public entry, and the walk over a configuration's lines. Beside it:
// sections.ts, global.ts (with the runtime lines), proxy.ts and actions.ts
// (the directive allow-lists), files.ts, addresses.ts, words.ts (argument
// checks), policy.ts (what an agent accepts) and report.ts (how a refusal reads).
import { lexHaproxy, type HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { checkExtraDirective, fileAllowed, isCleanAbsolutePath } from "@/lib/agent-protocol/haproxy/rules/files";
import { checkGlobalDirective } from "@/lib/agent-protocol/haproxy/rules/global";
import { STATS_SOCKET_OPTIONS, type HaproxyPolicy, type HaproxyRuntime } from "@/lib/agent-protocol/haproxy/rules/policy";
import { checkProxyDirective } from "@/lib/agent-protocol/haproxy/rules/proxy";
import { clip, refuse, type Check, type RuleProblem } from "@/lib/agent-protocol/haproxy/rules/report";
import { REFUSED_SECTIONS, SECTION_KEYWORDS, checkOtherDirective, sectionKind, type SectionKind } from "@/lib/agent-protocol/haproxy/rules/sections";
import { checkWords } from "@/lib/agent-protocol/haproxy/rules/words";

export { STATS_SOCKET_OPTIONS, fileAllowed, isCleanAbsolutePath };
export type { HaproxyPolicy, HaproxyRuntime, RuleProblem };

/** Keywords that take a second word to name the directive. */
const TWO_WORD = new Set([
  "option",
  "timeout",
  "stats",
  "http-check",
  "tcp-check",
  "capture",
  "monitor",
  "external-check",
  "email-alert",
  "persist",
  "rate-limit",
  "stick",
  "declare",
  "tcp-request",
  "tcp-response",
]);

/** The directive a line holds, as the allow-lists key it: "timeout client", "http-request", "option httplog". */
export function directiveKey(words: HaproxyWord[]): { key: string; argsFrom: number } {
  let at = 0;
  // `no option x` / `default option x` / `no log`: the same directive, inverted or reset.
  if ((words[0]?.value === "no" || words[0]?.value === "default") && words.length > 1) at = 1;
  const first = words[at]?.value ?? "";
  if (TWO_WORD.has(first) && words[at + 1]) return { key: `${first} ${words[at + 1]!.value}`, argsFrom: at + 2 };
  return { key: first, argsFrom: at + 1 };
}

/**
 * Every line of `content` that HAProxy would run outside the safe set, with
 * its line number and why. [] means the agent may hand it to `haproxy -c`.
 */
export function checkHaproxyConfig(content: string, policy: HaproxyPolicy): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const extras = new Set(policy.directives);
  const luaAllowed = extras.has("lua-load") || extras.has("lua-load-per-thread");
  let section: { kind: SectionKind; name: string } | null = null;
  let refusedSection = false;

  for (const line of lexHaproxy(content)) {
    const c: Check = { problems, line, policy, luaAllowed };
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(line.text)) {
      refuse(c, "control characters (other than tab) are not allowed in a configuration line");
      continue;
    }
    if (line.error) {
      refuse(c, line.error);
      continue;
    }
    const words = line.words;
    if (words.length === 0) continue;
    // HAProxy ends a directive's arguments at the first empty word ('' or ""): what follows would be
    // read by these rules but not by HAProxy, so such a line is refused rather than guessed at.
    if (words.some((w) => w.value === "")) {
      refuse(c, "an empty quoted word ('' or \"\") ends HAProxy's argument list early; remove it");
      continue;
    }
    const first = words[0]!;

    if (first.value.startsWith(".")) {
      refuse(c, `"${clip(first.value)}": conditional blocks and .diag/.notice/.warning/.alert lines can read the environment and are outside the safe set`);
      continue;
    }
    if (SECTION_KEYWORDS.has(first.value)) {
      checkWords(c, words, luaAllowed);
      const kind = sectionKind(first.value);
      if (kind) {
        section = { kind, name: first.value };
        refusedSection = false;
      } else if (extras.has(first.value)) {
        section = { kind: "extra", name: first.value };
        refusedSection = false;
        checkExtraDirective(c, words, 1);
      } else {
        refuse(c, `section "${first.value}" is refused: ${REFUSED_SECTIONS[first.value] ?? "it is outside the safe set"}`);
        refusedSection = true;
      }
      continue;
    }
    // The body of a refused section: its header already says why.
    if (refusedSection) continue;
    checkWords(c, words, luaAllowed);
    if (!section) {
      refuse(c, `"${clip(first.value)}" is outside any section`);
      continue;
    }
    const { key, argsFrom } = directiveKey(words);
    if (words.slice(0, argsFrom).some((w) => /[\t\r\n ]/.test(w.value))) {
      refuse(c, "a directive's name may not hold spaces, tabs or line breaks");
      continue;
    }
    if (extras.has(key) || section.kind === "extra") {
      checkExtraDirective(c, words, argsFrom);
      continue;
    }
    let known: boolean;
    switch (section.kind) {
      case "global":
        known = checkGlobalDirective(c, key, words);
        break;
      case "proxy":
        known = checkProxyDirective(c, key, words, argsFrom);
        break;
      default:
        known = checkOtherDirective(c, section.kind, key, words);
    }
    if (!known) {
      refuse(
        c,
        `"${clip(key)}" is outside the agent's safe set for a ${section.name} section; the host's owner can allow it in the agent's config (haproxy.allow.directives)`,
      );
    }
  }
  return problems;
}
