// Client side of API tokens: query keys and mutation hooks. The created
// token's secret is in the mutation result only; gcTime 0 drops it from the
// mutation cache as soon as the dialog lets go of it.
"use client";
import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import { useRefreshAfterChange } from "@/lib/http/client";
import type { TokenCreate } from "@/lib/tokens/schemas";

export const tokenKeys = { all: ["tokens"] as const };

const useAfterChange = () => useRefreshAfterChange(tokenKeys.all);

export function useCreateToken() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (input: TokenCreate) => callApi(api.tokens.create, { body: input }),
    onSuccess,
    gcTime: 0,
  });
}

export function useRevokeToken() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (id: string) => callApi(api.tokens.revoke, { params: { id } }),
    onSuccess,
  });
}
