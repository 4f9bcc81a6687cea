// Request signing between the console (worker) and agents. Every request
// carries the agent's key id, a timestamp, a one-time nonce and an HMAC over
// method, path, timestamp, nonce and the body's hash. The agent refuses a
// wrong key, a bad signature, a stale or future timestamp, and a nonce it has
// already seen (a replay). Comparisons are constant-time.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SCHEME = "CD1-HMAC-SHA256";
/** How far a request's clock may be from the agent's, either way. */
export const MAX_SKEW_MS = 30_000;

export type SignedParts = { keyId: string; ts: number; nonce: string; sig: string };

export function bodyHash(body: string | Uint8Array = ""): string {
  return createHash("sha256").update(body).digest("hex");
}

function stringToSign(method: string, pathWithQuery: string, ts: number, nonce: string, hash: string): string {
  return [SCHEME, method.toUpperCase(), pathWithQuery, String(ts), nonce, hash].join("\n");
}

function hmac(secret: string, data: string): string {
  return createHmac("sha256", Buffer.from(secret, "base64url")).update(data).digest("base64url");
}

/** The Authorization header for one request. */
export function newNonce(): string {
  return randomBytes(16).toString("base64url");
}

export function signRequest(opts: {
  keyId: string;
  secret: string;
  method: string;
  pathWithQuery: string;
  body?: string | Uint8Array;
  now?: number;
  nonce?: string;
}): string {
  const ts = opts.now ?? Date.now();
  const nonce = opts.nonce ?? newNonce();
  const sig = hmac(opts.secret, stringToSign(opts.method, opts.pathWithQuery, ts, nonce, bodyHash(opts.body)));
  return `${SCHEME} keyId=${opts.keyId},ts=${ts},nonce=${nonce},sig=${sig}`;
}

export function parseAuthorization(header: string | undefined | null): SignedParts | null {
  if (!header || header.length > 512 || !header.startsWith(SCHEME + " ")) return null;
  const fields = new Map<string, string>();
  for (const part of header.slice(SCHEME.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const keyId = fields.get("keyId");
  const ts = Number(fields.get("ts"));
  const nonce = fields.get("nonce");
  const sig = fields.get("sig");
  if (!keyId || !/^[A-Za-z0-9_-]{4,64}$/.test(keyId)) return null;
  if (!Number.isSafeInteger(ts)) return null;
  if (!nonce || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return null;
  if (!sig || !/^[A-Za-z0-9_-]{40,64}$/.test(sig)) return null;
  return { keyId, ts, nonce, sig };
}

export type VerifyFailure = "missing" | "malformed" | "unknown-key" | "skew" | "replay" | "bad-signature";

/**
 * Remembers nonces for twice the skew window: a request older than that is
 * refused for its timestamp anyway, so the set stays bounded.
 */
export class NonceCache {
  private seen = new Map<string, number>();
  constructor(
    private readonly ttlMs = 2 * MAX_SKEW_MS,
    private readonly maxEntries = 200_000,
  ) {}

  /** True when the nonce is new (and records it); false for a replay. */
  claim(nonce: string, now: number): boolean {
    this.evict(now);
    if (this.seen.has(nonce)) return false;
    if (this.seen.size >= this.maxEntries) {
      // Full of live nonces: refuse rather than forget one and allow a replay.
      return false;
    }
    this.seen.set(nonce, now + this.ttlMs);
    return true;
  }

  private evict(now: number) {
    // Map keeps insertion order and every entry has the same ttl, so expired ones are at the front.
    for (const [nonce, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(nonce);
    }
  }
}

export function verifyRequest(opts: {
  header: string | undefined | null;
  method: string;
  pathWithQuery: string;
  body?: string | Uint8Array;
  secretFor: (keyId: string) => string | undefined;
  nonces: NonceCache;
  now?: number;
}): { ok: true; keyId: string; nonce: string } | { ok: false; reason: VerifyFailure } {
  if (!opts.header) return { ok: false, reason: "missing" };
  const parts = parseAuthorization(opts.header);
  if (!parts) return { ok: false, reason: "malformed" };
  const secret = opts.secretFor(parts.keyId);
  if (!secret) return { ok: false, reason: "unknown-key" };
  const now = opts.now ?? Date.now();
  if (Math.abs(now - parts.ts) > MAX_SKEW_MS) return { ok: false, reason: "skew" };
  const expected = Buffer.from(hmac(secret, stringToSign(opts.method, opts.pathWithQuery, parts.ts, parts.nonce, bodyHash(opts.body))));
  const given = Buffer.from(parts.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "bad-signature" };
  // Only a correctly signed request may use up a nonce, so forgeries cannot fill the cache.
  if (!opts.nonces.claim(parts.nonce, now)) return { ok: false, reason: "replay" };
  return { ok: true, keyId: parts.keyId, nonce: parts.nonce };
}

// Answers are signed too, so the console can tell an agent's words from those
// of whatever else answers at an agent URL (an internal service, a metadata
// endpoint): only a signed answer's text is ever shown to the console's users.
// The signature covers the request's nonce (so it cannot be replayed onto
// another request), the status and the body's hash; its first line differs
// from a request's, so neither can stand for the other.

/** The header an agent signs its JSON answers to signed requests with. */
export const ANSWER_SIGNATURE_HEADER = "x-clusterdeck-answer";
const ANSWER_SCHEME = "CD1-ANSWER";

function answerToSign(nonce: string, status: number, body: string | Uint8Array): string {
  return [ANSWER_SCHEME, nonce, String(status), bodyHash(body)].join("\n");
}

export function signAnswer(opts: { secret: string; nonce: string; status: number; body: string | Uint8Array }): string {
  return hmac(opts.secret, answerToSign(opts.nonce, opts.status, opts.body));
}

export function verifyAnswer(opts: {
  secret: string;
  nonce: string;
  status: number;
  body: string | Uint8Array;
  signature: string | string[] | null | undefined;
}): boolean {
  if (typeof opts.signature !== "string" || !/^[A-Za-z0-9_-]{40,64}$/.test(opts.signature)) return false;
  const expected = Buffer.from(signAnswer(opts));
  const given = Buffer.from(opts.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function generateAgentSecret(): { keyId: string; secret: string } {
  return { keyId: "ak_" + randomBytes(9).toString("base64url"), secret: randomBytes(32).toString("base64url") };
}
