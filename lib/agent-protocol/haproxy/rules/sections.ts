// Sections: which keywords open one, which are refused outright (and why),
// and the short allow-lists of the small sections (userlist, resolvers,
// http-errors, cache).

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { checkServerAddress } from "@/lib/agent-protocol/haproxy/rules/addresses";
import { checkFile } from "@/lib/agent-protocol/haproxy/rules/files";
import type { Check } from "@/lib/agent-protocol/haproxy/rules/report";

/** Every section keyword HAProxy 2.6 knows: a line starting with one opens that section. */
export const SECTION_KEYWORDS = new Set([
  "global",
  "defaults",
  "frontend",
  "backend",
  "listen",
  "userlist",
  "peers",
  "mailers",
  "resolvers",
  "program",
  "http-errors",
  "ring",
  "cache",
  "log-forward",
  "fcgi-app",
]);

export const REFUSED_SECTIONS: Record<string, string> = {
  program: "a program section runs a command as root",
  "fcgi-app": "a FastCGI application section points HAProxy at host paths and unix sockets",
  peers: "a peers section opens connections and listeners outside the managed frontends",
  mailers: "a mailers section sends mail from the load balancer",
  ring: "a ring section sends HAProxy's logs elsewhere",
  "log-forward": "a log-forward section opens a syslog listener",
};

export type SectionKind = "global" | "proxy" | "userlist" | "resolvers" | "http-errors" | "cache" | "extra";

export function sectionKind(keyword: string): SectionKind | null {
  switch (keyword) {
    case "global":
      return "global";
    case "defaults":
    case "frontend":
    case "backend":
    case "listen":
      return "proxy";
    case "userlist":
    case "resolvers":
    case "http-errors":
    case "cache":
      return keyword;
    default:
      return null;
  }
}

const OTHER_SECTIONS: Record<"userlist" | "resolvers" | "http-errors" | "cache", Set<string>> = {
  userlist: new Set(["user", "group"]),
  resolvers: new Set(["nameserver", "parse-resolv-conf", "accepted_payload_size", "hold", "resolve_retries", "timeout"]),
  "http-errors": new Set(["errorfile"]),
  cache: new Set(["total-max-size", "max-object-size", "max-age", "process-vary", "max-secondary-entries"]),
};

export function checkOtherDirective(c: Check, section: "userlist" | "resolvers" | "http-errors" | "cache", key: string, words: HaproxyWord[]): boolean {
  if (!OTHER_SECTIONS[section].has(key)) return false;
  if (section === "http-errors" && key === "errorfile") checkFile(c, words[2]?.value, "errorfile");
  if (section === "resolvers" && key === "nameserver") checkServerAddress(c, words[2]?.value, "nameserver address");
  return true;
}
