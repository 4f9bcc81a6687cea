// The request pipeline: everything between a request and its route's handler.
// In order: find the route (404 unknown path, 405 wrong method), check who asks
// (http/auth.ts), read a body within the route's limit, check its signature,
// parse it as untrusted JSON, then run the handler. A refusal is counted and
// logged (http/refusals.ts) and changes nothing; a handler that throws is a 500.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import type { VerifyFailure } from "@/lib/agent-protocol/signing";
import type { LogSink } from "../log";
import { METRICS_CLOSED_MESSAGE, type AgentAuth } from "./auth";
import { BodyAborted, BodyTooLarge, readBody } from "./body";
import type { Refusals, RefusalReason } from "./refusals";
import { pathOf, sendJson, type AnswerKey } from "./respond";
import type { Exchange, Route } from "./route";

class PipelineExchange implements Exchange {
  json: unknown = undefined;
  /** Set once the request's signature checked out: its answers are then signed. */
  key: AnswerKey | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly refusals: Refusals,
  ) {}

  send(status: number, body: unknown, headers: Record<string, string> = {}): void {
    sendJson(this.res, status, body, headers, this.key);
  }

  refuse(status: number, reason: RefusalReason, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
    this.refusals.record(this.req, status, reason);
    this.send(status, body, headers);
  }

  unauthorized(reason: VerifyFailure): void {
    this.refuse(401, reason, { error: "unauthorized", reason }, { "www-authenticate": "CD1-HMAC-SHA256" });
  }
}

export function requestPipeline<State>(options: {
  routes: readonly Route<State>[];
  state: State;
  auth: AgentAuth;
  refusals: Refusals;
  log: LogSink;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { routes, state, auth, refusals, log } = options;

  /** Whether the request may reach its handler; when not, it has been answered. */
  async function admit(route: Route<State>, x: PipelineExchange): Promise<boolean> {
    const { req, res } = x;
    if (route.auth === "metrics") {
      const access = auth.metrics(req);
      if (access === "closed") x.refuse(403, "metrics-closed", { error: "metrics-closed", message: METRICS_CLOSED_MESSAGE });
      else if (access === "bad-token")
        x.refuse(401, "metrics-token", { error: "unauthorized", reason: "metrics-token" }, { "www-authenticate": 'Bearer realm="metrics"' });
      return access === "ok";
    }
    if (!route.body) {
      // A body, if any, is neither read nor signed.
      const verified = auth.verify(req, "");
      if (!verified.ok) {
        x.unauthorized(verified.reason);
        return false;
      }
      x.key = verified.key;
      return true;
    }
    // Nothing is read for a request that is not even signed.
    if (!req.headers.authorization) {
      x.unauthorized("missing");
      return false;
    }
    const limit = route.body.maxBytes;
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        x.refuse(413, "body-too-large", { error: "payload-too-large", message: `the body must be at most ${limit} bytes` }, { connection: "close" });
        return false;
      }
      // Nobody is left to answer; nothing was read that could be acted on.
      if (error instanceof BodyAborted) {
        res.destroy();
        return false;
      }
      throw error;
    }
    const verified = auth.verify(req, body);
    if (!verified.ok) {
      x.unauthorized(verified.reason);
      return false;
    }
    x.key = verified.key;
    // Malformed, nested past MAX_JSON_DEPTH (a recursive walk of 20,000 levels
    // overflows the stack) or holding a NUL or lone surrogate: the same rules as the console's API.
    const parsed = parseUntrustedJson(body.toString("utf8"), "body");
    if (!parsed.ok) {
      const message = parsed.refusal.kind === "syntax" ? "the body is not valid JSON" : parsed.refusal.message;
      x.refuse(400, "bad-json", { error: "bad-request", message, ...(parsed.refusal.kind === "syntax" ? {} : { path: parsed.refusal.where }) });
      return false;
    }
    x.json = parsed.value;
    return true;
  }

  async function handle(x: PipelineExchange): Promise<void> {
    const path = pathOf(x.req);
    const atPath = routes.filter((r) => r.path === path);
    if (atPath.length === 0) return x.send(404, { error: "not-found" });
    const route = atPath.find((r) => r.method === x.req.method);
    if (!route) {
      const allow = atPath.map((r) => r.method).join(", ");
      return x.send(405, { error: "method-not-allowed", allow }, { allow });
    }
    if (await admit(route, x)) await route.handle(state, x);
  }

  return (req, res) => {
    const x = new PipelineExchange(req, res, refusals);
    handle(x).catch((error) => {
      log({ level: "error", msg: "request failed", path: pathOf(req), error: (error as Error)?.message });
      if (!res.headersSent) x.send(500, { error: "internal" });
      else res.destroy();
    });
  };
}
