// The console calling an agent (web and worker alike): a signed JSON request
// with a deadline, trusting agents' TLS certificates by CLUSTERDECK_AGENT_CA_FILE
// when set. The answer is validated; anything else is an AgentCallError with
// what went wrong in words an operator can act on.
import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { signRequest } from "@/lib/agent-protocol/signing";
import { parseUntrustedJson } from "@/lib/api/json";
import { env } from "@/lib/env";

export type AgentEndpoint = { agentUrl: string; keyId: string; secret: string };

export class AgentCallError extends Error {
  constructor(
    /** The agent's HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    /** The agent's JSON answer, when it gave one. */
    readonly body: Record<string, unknown> | null = null,
    /** True when the request certainly never reached the agent (connection refused): it changed nothing. */
    readonly notSent = false,
  ) {
    super(message);
  }
}

let ca: { file: string; pem: Buffer } | null = null;
function agentCa(): Buffer | undefined {
  const file = env().CLUSTERDECK_AGENT_CA_FILE;
  if (!file) return undefined;
  if (ca?.file !== file) ca = { file, pem: readFileSync(file) };
  return ca.pem;
}

const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

export function callAgent<T extends z.ZodType>(
  endpoint: AgentEndpoint,
  method: "GET" | "POST",
  path: string,
  body: unknown,
  answer: T,
  timeoutMs = 15_000,
): Promise<z.output<T>> {
  const url = new URL(path, endpoint.agentUrl);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const authorization = signRequest({ keyId: endpoint.keyId, secret: endpoint.secret, method, pathWithQuery: url.pathname + url.search, body: text });
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        agent: false,
        timeout: timeoutMs,
        headers: { authorization, accept: "application/json", ...(text !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(text) } : {}) },
        ...(url.protocol === "https:" ? { ca: agentCa(), rejectUnauthorized: true } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error("the agent's answer is too large"));
          else chunks.push(c);
        });
        res.on("end", () => {
          // Malformed, too deep, or with text PostgreSQL refuses (a message lands in the audit's json): no answer at all.
          const body = parseUntrustedJson(Buffer.concat(chunks).toString("utf8"), "answer");
          const json = body.ok && body.value !== null && typeof body.value === "object" ? (body.value as Record<string, unknown>) : null;
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const why = typeof json?.message === "string" ? json.message : typeof json?.error === "string" ? json.error : `HTTP ${status}`;
            return reject(new AgentCallError(status, `agent at ${endpoint.agentUrl} answered ${status}: ${why}`.slice(0, 1000), json));
          }
          const parsed = answer.safeParse(json);
          if (!parsed.success) return reject(new AgentCallError(status, `agent at ${endpoint.agentUrl} sent an answer this console does not understand`));
          resolve(parsed.data);
        });
        res.on("error", (e) => reject(new AgentCallError(0, `agent at ${endpoint.agentUrl}: ${e.message}`)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) =>
      reject(new AgentCallError(0, `agent at ${endpoint.agentUrl}: ${e.code === "ECONNREFUSED" ? "connection refused (agent not running?)" : e.message}`, null, e.code === "ECONNREFUSED")),
    );
    req.end(text);
  });
}
