"use client";
// A change that needs a reason for the audit trail: ask for it, POST it to
// the route, refresh the page (rendered on the server).
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { z } from "zod";
import { callApi, type CallInput } from "@/lib/api/client";
import type { RouteSpec } from "@/lib/api/spec";
import { ApiClientError } from "@/lib/http/client";

/** A route whose body carries a `reason`. */
type ReasonedRoute = RouteSpec & { body: z.ZodType<unknown, { reason: string }> };
type BodyWithoutReason<S extends ReasonedRoute> = Omit<z.input<S["body"]>, "reason">;
type Params<S extends RouteSpec> = CallInput<S>["params"];

export function useReasonedPost<S extends ReasonedRoute>(spec: S, ...[params]: undefined extends Params<S> ? [Params<S>?] : [Params<S>]) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function post(body: BodyWithoutReason<S>, question: string) {
    const reason = window.prompt(question);
    if (!reason) return;
    setPending(true);
    setError(null);
    try {
      // The route's own input, with the reason added: typed by the caller's spec above.
      await callApi(spec as RouteSpec, { params, body: { ...body, reason } } as unknown as CallInput<RouteSpec>);
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    } finally {
      setPending(false);
    }
  }
  return { post, pending, error };
}
