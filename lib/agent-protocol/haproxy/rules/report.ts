// How a refusal is reported: the line it is on and a message that quotes the
// offending word clipped and printable, so a hostile configuration cannot
// flood or garble the editor or the agent's answer.

import type { HaproxyLine } from "@/lib/agent-protocol/haproxy/lexer";
import type { HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules/policy";

export type RuleProblem = { line: number; message: string };

/** A control character HAProxy would carry into a word (a NUL truncates what follows, in C). */
export const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

export type Check = { problems: RuleProblem[]; line: HaproxyLine; policy: HaproxyPolicy; luaAllowed: boolean };

export function refuse(c: Check, message: string): void {
  c.problems.push({ line: c.line.number, message });
}

export const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s).replace(CONTROL, "?");
