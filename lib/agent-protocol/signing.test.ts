import { describe, expect, it } from "vitest";
import { MAX_SKEW_MS, NonceCache, generateAgentSecret, newNonce, signAnswer, signRequest, verifyAnswer, verifyRequest } from "@/lib/agent-protocol/signing";
import { readRefusal } from "@/lib/agent-protocol/answer";

const { keyId, secret } = generateAgentSecret();
const secretFor = (id: string) => (id === keyId ? secret : undefined);

function check(header: string, over: Partial<{ method: string; path: string; body: string; now: number; nonces: NonceCache }> = {}) {
  return verifyRequest({
    header,
    method: over.method ?? "POST",
    pathWithQuery: over.path ?? "/v1/actions",
    body: over.body ?? '{"action":"drain"}',
    secretFor,
    nonces: over.nonces ?? new NonceCache(),
    now: over.now,
  });
}

describe("agent request signing", () => {
  const signed = () => signRequest({ keyId, secret, method: "POST", pathWithQuery: "/v1/actions", body: '{"action":"drain"}' });

  it("accepts a correctly signed request once, and refuses its replay", () => {
    const nonces = new NonceCache();
    const header = signed();
    expect(check(header, { nonces })).toEqual({ ok: true, keyId, nonce: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/) });
    expect(check(header, { nonces })).toEqual({ ok: false, reason: "replay" });
  });

  it("refuses a changed body, method or path", () => {
    expect(check(signed(), { body: '{"action":"resume"}' })).toMatchObject({ reason: "bad-signature" });
    expect(check(signed(), { method: "PUT" })).toMatchObject({ reason: "bad-signature" });
    expect(check(signed(), { path: "/v1/actions?x=1" })).toMatchObject({ reason: "bad-signature" });
  });

  it("refuses a wrong key, an unknown key id and a stale or future timestamp", () => {
    const other = generateAgentSecret();
    expect(check(signRequest({ keyId, secret: other.secret, method: "POST", pathWithQuery: "/v1/actions", body: '{"action":"drain"}' }))).toMatchObject({
      reason: "bad-signature",
    });
    expect(check(signRequest({ keyId: other.keyId, secret: other.secret, method: "POST", pathWithQuery: "/v1/actions", body: "" }))).toMatchObject({
      reason: "unknown-key",
    });
    const now = Date.now();
    const old = signRequest({ keyId, secret, method: "POST", pathWithQuery: "/v1/actions", body: '{"action":"drain"}', now: now - MAX_SKEW_MS - 1 });
    expect(check(old, { now })).toMatchObject({ reason: "skew" });
    const future = signRequest({ keyId, secret, method: "POST", pathWithQuery: "/v1/actions", body: '{"action":"drain"}', now: now + MAX_SKEW_MS + 1 });
    expect(check(future, { now })).toMatchObject({ reason: "skew" });
  });

  it("refuses missing and malformed headers", () => {
    expect(check("")).toMatchObject({ reason: "missing" });
    expect(check("Bearer abc")).toMatchObject({ reason: "malformed" });
    expect(check("CD1-HMAC-SHA256 keyId=x")).toMatchObject({ reason: "malformed" });
    expect(check(signed().replace(/ts=\d+/, "ts=soon"))).toMatchObject({ reason: "malformed" });
  });

  it("forgets nonces only after they could no longer pass the timestamp check", () => {
    const nonces = new NonceCache(1000);
    expect(nonces.claim("n1", 0)).toBe(true);
    expect(nonces.claim("n1", 999)).toBe(false);
    expect(nonces.claim("n1", 1001)).toBe(true);
  });
});

describe("agent answer signing", () => {
  const nonce = newNonce();
  const body = JSON.stringify({ error: "action-failed", message: "drainUrl is not configured" });
  const signature = signAnswer({ secret, nonce, status: 409, body });

  it("verifies an answer signed for this request, and nothing changed from it", () => {
    expect(verifyAnswer({ secret, nonce, status: 409, body, signature })).toBe(true);
    expect(verifyAnswer({ secret, nonce, status: 502, body, signature })).toBe(false);
    expect(verifyAnswer({ secret, nonce, status: 409, body: body.replace("drainUrl", "resumeUrl"), signature })).toBe(false);
    // Replayed onto another request, or signed by another key.
    expect(verifyAnswer({ secret, nonce: newNonce(), status: 409, body, signature })).toBe(false);
    expect(verifyAnswer({ secret: generateAgentSecret().secret, nonce, status: 409, body, signature })).toBe(false);
    for (const junk of [undefined, null, "", "x", ["a", "b"], "A".repeat(43), signature + "A"])
      expect(verifyAnswer({ secret, nonce, status: 409, body, signature: junk })).toBe(false);
  });

  it("is not a request signature, nor the other way round", () => {
    const header = signRequest({ keyId, secret, method: "GET", pathWithQuery: "/v1/status", nonce });
    const requestSig = /sig=([^,]+)/.exec(header)![1];
    expect(verifyAnswer({ secret, nonce, status: 200, body: "", signature: requestSig })).toBe(false);
  });

  it("lets the console repeat only what the agent signed", () => {
    const raw = Buffer.from(body);
    expect(readRefusal({ status: 409, body: raw, signature, secret, nonce })).toEqual({
      statusLine: "409 Conflict",
      detail: "drainUrl is not configured",
      json: JSON.parse(body),
      text: "409 Conflict: drainUrl is not configured",
    });
    expect(readRefusal({ status: 409, body: raw, signature: undefined, secret, nonce })).toEqual({
      statusLine: "409 Conflict",
      detail: null,
      json: null,
      text: "409 Conflict (not a signed agent answer)",
    });
    const refused = Buffer.from(JSON.stringify({ error: "unauthorized", reason: "skew" }));
    expect(readRefusal({ status: 401, body: refused, signature: undefined, secret, nonce }).text).toBe("401 Unauthorized (skew)");
    const foreign = Buffer.from(JSON.stringify({ error: "unauthorized", reason: "token for user root expired" }));
    expect(readRefusal({ status: 401, body: foreign, signature: undefined, secret, nonce }).text).toBe("401 Unauthorized (not a signed agent answer)");
    expect(readRefusal({ status: 599, body: Buffer.from("<html>"), signature: undefined, secret, nonce }).text).toBe(
      "599 Unknown status (not a signed agent answer)",
    );
  });
});
