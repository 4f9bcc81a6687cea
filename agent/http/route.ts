// What a route is to the request pipeline (http/pipeline.ts). The agent's
// routes are one table of these: agent/routes.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RefusalReason } from "./refusals";

/** One request as a handler sees it, once the pipeline let it through. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The parsed JSON body: routes with `body` only (undefined otherwise). */
  readonly json: unknown;
  /** A JSON answer, signed with the request's key once its signature was checked. */
  send(status: number, body: unknown, headers?: Record<string, string>): void;
  /** A refusal: counted by reason, logged (rate-limited), then answered like send. */
  refuse(status: number, reason: RefusalReason, body: Record<string, unknown>, headers?: Record<string, string>): void;
}

export type Route<State> = {
  method: "GET" | "POST";
  path: string;
  /**
   * What the pipeline checks before the handler runs. "signed": a /v1
   * signature with a fresh nonce (http/auth.ts), else 401 with the reason.
   * "metrics": the bearer metricsToken, or openMetrics; else 401, or 403 when
   * /metrics is closed.
   */
  auth: "signed" | "metrics";
  /**
   * A signed JSON body of at most maxBytes (413 beyond), read before the
   * signature is checked over it and parsed after (400 when it is not JSON
   * the console's API would take), then handed over as `json`. Without it a
   * body is neither read nor signed.
   */
  body?: { maxBytes: number };
  handle: (state: State, x: Exchange) => Promise<void> | void;
};
