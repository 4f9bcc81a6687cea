// The console calling an agent (web and worker alike): a signed JSON request
// with a deadline, trusting agents' TLS certificates by CLUSTERDECK_AGENT_CA_FILE
// when set, to an address the destination guard allows (checked on what the
// name resolves to, at connect time). The answer is validated; anything else
// is an AgentCallError with what went wrong in words an operator can act on,
// and never with the body of something that is not the agent: a refusal's
// text is repeated only when the agent signed it.
import "server-only";
import http from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { readRefusal } from "@/lib/agent-protocol/answer";
import { ANSWER_SIGNATURE_HEADER, newNonce, signRequest } from "@/lib/agent-protocol/signing";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { DestinationRefused, guardedConnectOptions } from "@/lib/net/destination-guard";
import { destinationPolicy } from "@/lib/net/destination-policy";
import { env } from "@/lib/env";

export type AgentEndpoint = { agentUrl: string; keyId: string; secret: string };

export class AgentCallError extends Error {
  constructor(
    /** The agent's HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    /** The agent's JSON answer, when it gave one and signed it. */
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

export async function callAgent<T extends z.ZodType>(
  endpoint: AgentEndpoint,
  method: "GET" | "POST",
  path: string,
  body: unknown,
  answer: T,
  timeoutMs = 15_000,
): Promise<z.output<T>> {
  const url = new URL(path, endpoint.agentUrl);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const nonce = newNonce();
  const authorization = signRequest({ keyId: endpoint.keyId, secret: endpoint.secret, method, pathWithQuery: url.pathname + url.search, body: text, nonce });
  const lib = url.protocol === "https:" ? https : http;
  const policy = await destinationPolicy();
  let connect: ReturnType<typeof guardedConnectOptions>;
  try {
    connect = guardedConnectOptions(url.hostname, () => policy);
  } catch (error) {
    throw new AgentCallError(0, `agent at ${endpoint.agentUrl}: ${(error as Error).message}`, null, true);
  }
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        agent: false,
        timeout: timeoutMs,
        lookup: connect.lookup,
        headers: {
          authorization,
          accept: "application/json",
          ...(text !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(text) } : {}),
        },
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
          const raw = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            const refusal = readRefusal({ status, body: raw, signature: res.headers[ANSWER_SIGNATURE_HEADER], secret: endpoint.secret, nonce });
            return reject(new AgentCallError(status, `agent at ${endpoint.agentUrl} answered ${refusal.text}`.slice(0, 1000), refusal.json));
          }
          // Malformed, too deep, or with text PostgreSQL refuses (answers land in json columns): no answer at all.
          const body = parseUntrustedJson(raw.toString("utf8"), "answer");
          const parsed = answer.safeParse(body.ok ? body.value : null);
          if (!parsed.success) return reject(new AgentCallError(status, `agent at ${endpoint.agentUrl} sent an answer this console does not understand`));
          resolve(parsed.data);
        });
        res.on("error", (e) => reject(new AgentCallError(0, `agent at ${endpoint.agentUrl}: ${e.message}`)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      // A refused destination or a refused connection: the request never left, so it changed nothing.
      const notSent = e.code === "ECONNREFUSED" || e instanceof DestinationRefused;
      reject(
        new AgentCallError(
          0,
          `agent at ${endpoint.agentUrl}: ${e.code === "ECONNREFUSED" ? "connection refused (agent not running?)" : e.message}`,
          null,
          notSent,
        ),
      );
    });
    req.end(text);
  });
}
