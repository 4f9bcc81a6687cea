// What the console may repeat of an agent's refusal (a non-2xx answer). An
// agent URL is typed by an admin and may lead to something that is not an
// agent: an internal service, a metadata endpoint. Its body must never reach a
// reason, an error or an API answer, so only a body the agent signed (with
// the key the console holds, over this request's nonce) is believed. Anything
// else is a status line: the code and its standard phrase, plus, for a 401, a
// word from the agent's fixed list of refusal reasons.
import { STATUS_CODES } from "node:http";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import { verifyAnswer } from "./signing";

const REFUSAL_WORDS = new Set(["missing", "malformed", "unknown-key", "skew", "replay", "bad-signature"]);

export type AgentRefusal = {
  /** "502 Bad Gateway". */
  statusLine: string;
  /** The agent's own words (signed answers only), or a refusal reason from the fixed list. */
  detail: string | null;
  /** The signed answer's JSON; null for anything unsigned. */
  json: Record<string, unknown> | null;
  /** What to say: "409 Conflict: <the agent's message>", "401 Unauthorized (skew)", "502 Bad Gateway (not a signed agent answer)". */
  text: string;
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? "Unknown status"}`;
}

export function readRefusal(opts: {
  status: number;
  body: Buffer;
  signature: string | string[] | null | undefined;
  secret: string;
  nonce: string;
}): AgentRefusal {
  // Signed or not, text that is too deep or that PostgreSQL refuses (a lone surrogate) is no answer: reasons land in json columns.
  const parsed = parseUntrustedJson(opts.body.toString("utf8"), "answer");
  const json = parsed.ok && parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value) ? (parsed.value as Record<string, unknown>) : null;
  const line = statusLine(opts.status);
  if (json && verifyAnswer({ secret: opts.secret, nonce: opts.nonce, status: opts.status, body: opts.body, signature: opts.signature })) {
    const detail = typeof json.message === "string" ? json.message : typeof json.error === "string" ? json.error : null;
    return { statusLine: line, detail, json, text: detail ? `${line}: ${detail}` : line };
  }
  // An agent cannot sign when it does not know the key or the signature failed; its reason is one word of a closed list.
  const reason =
    opts.status === 401 && json?.error === "unauthorized" && typeof json.reason === "string" && REFUSAL_WORDS.has(json.reason) ? json.reason : null;
  return { statusLine: line, detail: reason, json: null, text: reason ? `${line} (${reason})` : `${line} (not a signed agent answer)` };
}
