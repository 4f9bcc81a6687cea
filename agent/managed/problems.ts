import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { ActionError } from "../drivers/types";
import type { ConfigProblem } from "./types";

/** A candidate that failed validation: nothing was changed. The agent answers 422 with the problems. */
export class ConfigInvalid extends ActionError {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      422,
      `invalid configuration: ${problems
        .map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message))
        .join("; ")
        .slice(0, 900)}`,
    );
  }
}

/** zod issues as problems without line numbers (JSON settings are short). */
export function issuesToProblems(issues: { path: PropertyKey[]; message: string }[]): ConfigProblem[] {
  return issues.slice(0, 50).map((i) => ({ line: null, message: `${i.path.map(String).join(".") || "(root)"}: ${i.message}`.slice(0, 1000) }));
}

/** Parses JSON text by the API's rules (depth, NUL, lone surrogates); what is wrong is a problem, not an exception. */
export function parseJsonText(content: string): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  const parsed = parseUntrustedJson(content, "(root)");
  if (parsed.ok) return parsed;
  const { kind, message } = parsed.refusal;
  return {
    ok: false,
    problems: [{ line: null, message: (kind === "syntax" ? `not valid JSON: ${message.replace(/^Malformed JSON: /, "")}` : message).slice(0, 1000) }],
  };
}
