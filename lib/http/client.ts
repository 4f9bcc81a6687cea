// Browser side of the API: one fetch wrapper, one error type. Problem
// details from the server arrive intact, field errors included.
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { Problem, ProblemField } from "@/lib/http/problem";
import { isSignOutCode, signInPath } from "@/lib/http/sign-out";

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of (this.problem.errors ?? []) as ProblemField[]) {
      const field = e.path.replace(/^body\./, "");
      out[field] ??= e.message;
    }
    return out;
  }
}

/** One request, JSON both ways. Pages call routes through callApi (lib/api/client.ts), which builds the URL from the contract. */
export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers: {
      ...init.headers,
      ...(init.body === undefined ? { accept: "application/json" } : { "content-type": "application/json", accept: "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
    signal: init.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const problem = (
      data && typeof data === "object" ? data : { type: "about:blank", title: res.statusText || "Request failed", status: res.status }
    ) as Problem;
    if (res.status === 401 && typeof window !== "undefined") {
      // A full navigation on purpose: the session is gone, so is every cached query.
      // Sign-in says why (idle, expired…) and comes back to this page, query included.
      const why = isSignOutCode(problem.sessionEnded) ? problem.sessionEnded : undefined;
      window.location.assign(signInPath(window.location.pathname + window.location.search, why));
    }
    throw new ApiClientError(res.status, problem);
  }
  return data as T;
}

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

/**
 * After a change to data a page renders on the server: drops the client's
 * cached queries under `queryKey` and re-renders the page.
 */
export function useRefreshAfterChange(queryKey: QueryKey) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey });
    router.refresh();
  };
}
