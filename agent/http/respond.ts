// Writing an answer. A JSON answer to a request that passed the signature
// check carries x-clusterdeck-answer, an HMAC with the request's key over its
// nonce, the status and the body: that is how the console tells this agent's
// words from those of something else listening at the agent's URL.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ANSWER_SIGNATURE_HEADER, signAnswer } from "@/lib/agent-protocol/signing";

/** The key and nonce of a request that passed verifyRequest. */
export type AnswerKey = { secret: string; nonce: string };

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, key?: AnswerKey): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...(key ? { [ANSWER_SIGNATURE_HEADER]: signAnswer({ ...key, status, body: text }) } : {}),
    ...headers,
  });
  res.end(text);
}

/** The request's path without its query: what routes are matched on. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? "").split("?")[0]!;
}

/** The peer's address for logs; null once the socket is gone (a client that hung up). */
export function remoteOf(req: IncomingMessage): string | null {
  return req.socket?.remoteAddress ?? null;
}
