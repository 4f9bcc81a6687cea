import { describe, expect, it } from "vitest";
import { MAX_SKEW_MS, NonceCache, generateAgentSecret, signRequest, verifyRequest } from "@/lib/agent-protocol/signing";

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
    expect(check(header, { nonces })).toEqual({ ok: true, keyId });
    expect(check(header, { nonces })).toEqual({ ok: false, reason: "replay" });
  });

  it("refuses a changed body, method or path", () => {
    expect(check(signed(), { body: '{"action":"resume"}' })).toMatchObject({ reason: "bad-signature" });
    expect(check(signed(), { method: "PUT" })).toMatchObject({ reason: "bad-signature" });
    expect(check(signed(), { path: "/v1/actions?x=1" })).toMatchObject({ reason: "bad-signature" });
  });

  it("refuses a wrong key, an unknown key id and a stale or future timestamp", () => {
    const other = generateAgentSecret();
    expect(check(signRequest({ keyId, secret: other.secret, method: "POST", pathWithQuery: "/v1/actions", body: '{"action":"drain"}' }))).toMatchObject({ reason: "bad-signature" });
    expect(check(signRequest({ keyId: other.keyId, secret: other.secret, method: "POST", pathWithQuery: "/v1/actions", body: "" }))).toMatchObject({ reason: "unknown-key" });
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
