// Refused requests: counted by reason for clusterdeck_agent_refused_requests_total
// and logged, at most so many lines per window (a flood of bad requests must
// not flood the log).
import type { IncomingMessage } from "node:http";
import type { VerifyFailure } from "@/lib/agent-protocol/signing";
import { rateLimited, type LogSink } from "../log";
import { remoteOf } from "./respond";

export type RefusalReason = VerifyFailure | "metrics-token" | "metrics-closed" | "body-too-large" | "bad-json" | "invalid-action" | "invalid-config-request";
/** Every reason a request is refused: one series each in clusterdeck_agent_refused_requests_total (the fleet simulator reports the same). */
export const REFUSAL_REASONS: RefusalReason[] = [
  "missing",
  "malformed",
  "unknown-key",
  "skew",
  "replay",
  "bad-signature",
  "metrics-token",
  "metrics-closed",
  "body-too-large",
  "bad-json",
  "invalid-action",
  "invalid-config-request",
];

export class Refusals {
  private readonly counts = new Map<RefusalReason, number>(REFUSAL_REASONS.map((r) => [r, 0]));
  private readonly log: LogSink;

  constructor(log: LogSink) {
    this.log = rateLimited(log);
  }

  record(req: IncomingMessage, status: number, reason: RefusalReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.log({
      level: "warn",
      msg: "request refused",
      remote: remoteOf(req),
      method: req.method,
      path: (req.url ?? "").split("?")[0]!.slice(0, 200),
      status,
      reason,
    });
  }

  /** Every reason with its count, zeros included. */
  entries(): [RefusalReason, number][] {
    return [...this.counts];
  }
}
