// Client side of API tokens: query keys and mutation hooks. The created
// token's secret is in the mutation result only; gcTime 0 drops it from the
// mutation cache as soon as the dialog lets go of it.
"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { apiFetch } from "@/lib/api/client";
import type { TokenView } from "@/lib/tokens/service";
import type { TokenCreate } from "@/lib/tokens/schemas";

type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
export type TokenWire = Wire<TokenView>;
export type CreatedToken = TokenWire & { token: string };

export const tokenKeys = {
  all: ["tokens"] as const,
  list: (query: Record<string, unknown>) => ["tokens", "list", query] as const,
};

function useAfterChange() {
  const router = useRouter();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: tokenKeys.all });
    router.refresh();
  };
}

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
