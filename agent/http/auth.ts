// Who may ask. /v1 requests are signed with one of the agent's credentials
// (lib/agent-protocol/signing.ts: CD1-HMAC-SHA256, a nonce seen once, ±30 s);
// /metrics takes a bearer token, is open when the host's owner says so, and is
// closed otherwise. Both are swapped in place on SIGHUP (key rotation without
// dropping streams).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { NonceCache, verifyRequest, type VerifyFailure } from "@/lib/agent-protocol/signing";
import type { Credential } from "../config";
import type { AnswerKey } from "./respond";

export type AuthSettings = { credentials: Credential[]; metricsToken?: string; openMetrics?: boolean };

export const METRICS_CLOSED_MESSAGE =
  "GET /metrics is closed: set metricsToken in the agent's config (16+ printable characters; Prometheus sends it as a bearer token) and send SIGHUP, or set openMetrics: true to serve it without a token";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

export class AgentAuth {
  private secrets = new Map<string, string>();
  // A token, explicitly open, or closed. Closed is the default because the
  // figures (host load, names, refusal counts) help whoever maps a network.
  private metricsAccess: { kind: "token"; hash: Buffer } | { kind: "open" } | { kind: "closed" } = { kind: "closed" };
  private readonly nonces = new NonceCache();

  constructor(settings: AuthSettings) {
    this.set(settings);
  }

  set(settings: AuthSettings): void {
    this.secrets = new Map(settings.credentials.map((c) => [c.keyId, c.secret]));
    this.metricsAccess = settings.metricsToken
      ? { kind: "token", hash: sha256(settings.metricsToken) }
      : settings.openMetrics
        ? { kind: "open" }
        : { kind: "closed" };
  }

  get metricsClosed(): boolean {
    return this.metricsAccess.kind === "closed";
  }

  /** A request's signature over its method, path+query and `body`; the answer is then signed with the same key. */
  verify(req: IncomingMessage, body: Buffer | string): { ok: true; key?: AnswerKey } | { ok: false; reason: VerifyFailure } {
    const result = verifyRequest({
      header: req.headers.authorization,
      method: req.method ?? "",
      pathWithQuery: req.url ?? "",
      body,
      secretFor: (keyId) => this.secrets.get(keyId),
      nonces: this.nonces,
    });
    if (!result.ok) return { ok: false, reason: result.reason };
    const secret = this.secrets.get(result.keyId);
    return { ok: true, key: secret ? { secret, nonce: result.nonce } : undefined };
  }

  /** Whether a scrape may read /metrics. */
  metrics(req: IncomingMessage): "ok" | "closed" | "bad-token" {
    const access = this.metricsAccess;
    if (access.kind === "closed") return "closed";
    if (access.kind === "open") return "ok";
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? sha256(header.slice(7).trim()) : undefined;
    // Both sides hashed to the same length, so the comparison is constant-time whatever was sent.
    return given && timingSafeEqual(given, access.hash) ? "ok" : "bad-token";
  }
}
