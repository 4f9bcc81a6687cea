// Rendering: a configuration's input → the exact text its targets run. The
// settings kinds render as canonical JSON; HAProxy renders from today's pool
// with the runtime paths its agent names (the console never picks a host path).
import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Tx } from "@/lib/db/client";
import { DomainError, unprocessable, type FieldProblem } from "@/lib/common/errors";
import { AGENT_PATHS, configCurrentAnswer } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { AgentCallError, callAgent } from "@/lib/agents/client";
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { canonicalJson, configChecksum } from "@/lib/agent-protocol/config/checksum";
import { postgresSettings } from "@/lib/agent-protocol/config/postgres-settings";
import type { HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules";
import { haproxyInput, renderHaproxyLines, type HaproxyLineOrigin, type HaproxyPool } from "./haproxy";
import type { Scope } from "./scopes";

/** An input as stored: what the kind's schema parsed (renderScope), always an object. */
export type ConfigInput = Record<string, unknown>;

/** The configuration cannot be checked now (its agent does not answer): nothing is saved. */
export class ValidationUnavailable extends DomainError {
  constructor(detail: string) {
    super("unavailable", detail);
  }
}

const inputSchema = { APP: appSettings, POSTGRES: postgresSettings, HAPROXY: haproxyInput } as const;

// ---------------------------------------------------------------------------
// Rendering: input → the exact text targets run
// ---------------------------------------------------------------------------

async function haproxyPool(scope: Scope, tx: Tx = db): Promise<HaproxyPool> {
  const lb = await tx.loadBalancer.findUniqueOrThrow({
    where: { id: scope.loadBalancerId! },
    select: {
      name: true,
      host: true,
      port: true,
      members: { select: { weight: true, backup: true, node: { select: { name: true, host: true, port: true } } } },
    },
  });
  return {
    loadBalancer: { name: lb.name, host: lb.host, port: lb.port },
    members: lb.members.map((m) => ({ name: m.node.name, host: m.node.host, port: m.node.port, weight: m.weight, backup: m.backup })),
  };
}

export type Rendered = {
  input: unknown;
  content: string;
  checksum: string;
  /** HAProxy: what the agent accepts (its runtime paths are in `content`). */
  policy?: HaproxyPolicy;
  /** HAProxy: the input field each content line comes from, to show a problem where it was typed. */
  origins?: HaproxyLineOrigin[];
};

/**
 * What the scope's HAProxy agent accepts: its own runtime paths (the console
 * renders them; it never chooses a host path) and what its host's owner
 * allows beyond the safe set. Asked live, so the console checks against the
 * agent's current config file.
 */
export async function haproxyPolicy(scope: Scope): Promise<HaproxyPolicy> {
  const endpoint = await agentEndpointFor("LOAD_BALANCER", scope.loadBalancerId!);
  if (!endpoint) {
    throw new ValidationUnavailable(
      "This HAProxy has no enrolled agent. Its configuration is rendered with the agent's own paths and checked against what the agent allows, so enrol the agent first",
    );
  }
  let answer;
  try {
    answer = await callAgent(endpoint, "GET", AGENT_PATHS.config, undefined, configCurrentAnswer, 10_000);
  } catch (error) {
    if (error instanceof AgentCallError) throw new ValidationUnavailable(`Could not ask the load balancer's agent what it accepts: ${error.message}`);
    throw error;
  }
  if (answer.kind !== "HAPROXY" || !answer.policy) {
    throw new ValidationUnavailable("The load balancer's agent does not say which paths and directives it accepts; upgrade the agent");
  }
  return answer.policy;
}

/** Parses the input for the scope's kind (422 naming each bad field) and renders the content. */
export async function renderScope(scope: Scope, rawInput: unknown, tx: Tx = db): Promise<Rendered> {
  const parsed = inputSchema[scope.kind].safeParse(rawInput);
  if (!parsed.success) {
    const errors: FieldProblem[] = parsed.error.issues.map((i) => ({ path: ["body", "input", ...i.path.map(String)].join("."), message: i.message }));
    throw unprocessable(
      `Invalid ${scope.kind} input: ${errors
        .slice(0, 3)
        .map((e) => `${e.path}: ${e.message}`)
        .join("; ")}`,
      errors,
    );
  }
  const input = parsed.data;
  if (scope.kind !== "HAPROXY") {
    const content = canonicalJson(input);
    return { input, content, checksum: configChecksum(content) };
  }
  const policy = await haproxyPolicy(scope);
  const { text, origins } = renderHaproxyLines(await haproxyPool(scope, tx), input as z.output<typeof haproxyInput>, policy.runtime);
  return { input, content: text, checksum: configChecksum(text), policy, origins };
}

/** What a new revision starts from: the latest input (HAProxy re-rendered from today's pool), or defaults. */
export async function draftInput(scope: Scope): Promise<ConfigInput> {
  const latest = await db.configRevision.findFirst({ where: { scope: scope.key }, orderBy: { number: "desc" }, select: { input: true } });
  if (latest) return latest.input as ConfigInput;
  if (scope.kind === "HAPROXY") return haproxyInput.parse({});
  if (scope.kind === "POSTGRES") return { settings: {} };
  const primary = await db.databaseInstance.findFirst({ where: { clusterId: scope.clusterId, role: "PRIMARY" }, select: { host: true, port: true } });
  const host = primary ? (primary.host.includes(":") ? `[${primary.host}]` : primary.host) : "localhost";
  return appSettings.parse({ database: { url: `postgresql://app@${host}:${primary?.port ?? 5432}/app` } });
}
