// Validation: everything wrong with a candidate before it is saved. HAProxy:
// the agent's safe set checked here first, then the agent's own `haproxy -c`;
// the settings kinds are fully checked by their schemas.
import "server-only";
import { db } from "@/lib/db";
import { unprocessable, type DomainError } from "@/lib/common/errors";
import { AGENT_PATHS, configValidateAnswer, type ConfigKind, type ConfigProblem } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { AgentCallError, callAgent } from "@/lib/agents/client";
import { checkHaproxyConfig } from "@/lib/agent-protocol/haproxy/rules";
import { maskConfigText } from "@/lib/agent-protocol/mask";
import { diffConfigs } from "./diff";
import type { HaproxyLineOrigin } from "./haproxy";
import { haproxyPolicy, renderScope, ValidationUnavailable, type Rendered } from "./render";
import { resolveScope, type Scope } from "./scopes";
import type { LocatedProblem, ValidationAnswer } from "./schemas";

/** Each problem, and where in the input it was typed when it comes from an edited field. */
function locate(problems: ConfigProblem[], origins: HaproxyLineOrigin[] | undefined): LocatedProblem[] {
  return problems.map((p) => {
    const origin = p.line && origins ? origins[p.line - 1] : null;
    return origin ? { ...p, input: { field: origin.field, line: origin.line } } : p;
  });
}

/**
 * Everything wrong with a candidate. HAProxy: first the safe set the agent
 * enforces (lib/agent-protocol/haproxy/rules/), checked here so nothing the rules
 * refuse ever leaves the console; then the agent itself, which checks the
 * rules again and runs `haproxy -c`. The other kinds are fully checked by
 * their schemas.
 */
export async function candidateProblems(scope: Scope, rendered: Rendered): Promise<LocatedProblem[]> {
  if (scope.kind !== "HAPROXY") return [];
  const policy = rendered.policy ?? (await haproxyPolicy(scope));
  const refused = checkHaproxyConfig(rendered.content, policy);
  if (refused.length) return locate(refused, rendered.origins);
  const endpoint = await agentEndpointFor("LOAD_BALANCER", scope.loadBalancerId!);
  if (!endpoint)
    throw new ValidationUnavailable("This HAProxy has no enrolled agent, so its configuration cannot be checked with haproxy -c; enrol the agent first");
  try {
    const answer = await callAgent(
      endpoint,
      "POST",
      AGENT_PATHS.configValidate,
      { kind: "HAPROXY", content: rendered.content, checksum: rendered.checksum },
      configValidateAnswer,
      20_000,
    );
    return locate(answer.problems, rendered.origins);
  } catch (error) {
    if (error instanceof AgentCallError) throw new ValidationUnavailable(`Could not check the configuration with the load balancer's agent: ${error.message}`);
    throw error;
  }
}

/** Renders and checks a candidate without storing it; the diff is against the latest revision. */
export async function validateCandidate(scopeKey: string, rawInput: unknown, showSecrets: boolean): Promise<ValidationAnswer> {
  const scope = await resolveScope(scopeKey);
  const rendered = await renderScope(scope, rawInput);
  const problems = await candidateProblems(scope, rendered);
  const latest = await db.configRevision.findFirst({ where: { scope: scope.key }, orderBy: { number: "desc" }, select: { number: true, content: true } });
  const show = (t: string) => (showSecrets ? t : maskConfigText(scope.kind, t));
  return {
    content: show(rendered.content),
    checksum: rendered.checksum,
    problems,
    diff: diffConfigs(show(latest?.content ?? ""), show(rendered.content)),
    againstRevision: latest?.number ?? null,
  };
}

/** A refused candidate as a 422: each problem on the input field it was typed in, else on its rendered line. */
export function problemsError(kind: ConfigKind, problems: LocatedProblem[], content: string): DomainError {
  const first = problems[0]!;
  return unprocessable(
    `The configuration is invalid: ${first.line ? `line ${first.line}: ` : ""}${first.message}`,
    problems.map((p) =>
      // On the field it was typed in when it was typed (the editor shows it there), else on the rendered line.
      p.input
        ? { path: `body.input.${p.input.field}`, message: `line ${p.input.line}: ${p.message}` }
        : { path: p.line ? `content.line.${p.line}` : "content", message: p.message },
    ),
    { problems, content: maskConfigText(kind, content) },
  );
}
