// Client side of API tokens: query keys and mutation hooks. The created
// token's secret is in the mutation result only; gcTime 0 drops it from the
// mutation cache as soon as the dialog lets go of it.
"use client";
import { useMutation } from "@tanstack/react-query";
import { apiFetch, useRefreshAfterChange } from "@/lib/http/client";
import type { Jsonify } from "@/lib/http/json";
import type { TokenView } from "@/lib/tokens/service";
import type { TokenCreate } from "@/lib/tokens/schemas";

export type TokenWire = Jsonify<TokenView>;
export type CreatedToken = TokenWire & { token: string };

export const tokenKeys = {
  all: ["tokens"] as const,
  list: (query: Record<string, unknown>) => ["tokens", "list", query] as const,
};

const useAfterChange = () => useRefreshAfterChange(tokenKeys.all);

export function useCreateToken() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (input: TokenCreate) => apiFetch<CreatedToken>("/api/v1/tokens", { method: "POST", body: input }),
    onSuccess,
    gcTime: 0,
  });
}

export function useRevokeToken() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (id: string) => apiFetch<TokenWire>(`/api/v1/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess,
  });
}
