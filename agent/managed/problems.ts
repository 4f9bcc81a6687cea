import { ActionError } from "../drivers/types";
import type { ConfigProblem } from "./types";

/** A candidate that failed validation: nothing was changed. The agent answers 422 with the problems. */
export class ConfigInvalid extends ActionError {
  constructor(readonly problems: ConfigProblem[]) {
    super(422, `invalid configuration: ${problems.map((p) => (p.line ? `line ${p.line}: ${p.message}` : p.message)).join("; ").slice(0, 900)}`);
  }
}

/** zod issues as problems without line numbers (JSON settings are short). */
export function issuesToProblems(issues: { path: PropertyKey[]; message: string }[]): ConfigProblem[] {
  return issues.slice(0, 50).map((i) => ({ line: null, message: `${i.path.map(String).join(".") || "(root)"}: ${i.message}`.slice(0, 1000) }));
}

/** Parses JSON text; a syntax error is a problem, not an exception. */
export function parseJsonText(content: string): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch (error) {
    return { ok: false, problems: [{ line: null, message: `not valid JSON: ${(error as Error).message}`.slice(0, 1000) }] };
  }
}
