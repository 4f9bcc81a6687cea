// Client side of user administration: query keys and mutation hooks. The
// tables are rendered on the server, so every change ends with
// router.refresh(); the keys are invalidated too for any client cache.
"use client";
import { useMutation } from "@tanstack/react-query";
import { apiFetch, useRefreshAfterChange } from "@/lib/http/client";
import type { Jsonify } from "@/lib/http/json";
import type { UserView } from "@/lib/users/service";
import type { UserCreate, UserUpdate } from "@/lib/users/schemas";

export type UserWire = Jsonify<UserView>;

export const userKeys = {
  all: ["users"] as const,
  list: (query: Record<string, unknown>) => ["users", "list", query] as const,
};

const userPath = (id: string) => `/api/v1/users/${encodeURIComponent(id)}`;

const useAfterChange = () => useRefreshAfterChange(userKeys.all);

export function useCreateUser() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (input: UserCreate) => apiFetch<UserWire>("/api/v1/users", { method: "POST", body: input }),
    onSuccess,
  });
}

export function useUpdateUser() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: ({ id, ...patch }: UserUpdate & { id: string }) => apiFetch<UserWire>(userPath(id), { method: "PATCH", body: patch }),
    onSuccess,
  });
}

export function useResetPassword() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) => apiFetch<UserWire>(`${userPath(id)}/password`, { method: "POST", body: { password } }),
    onSuccess,
    // The password is in the mutation's variables: do not keep it around.
    gcTime: 0,
  });
}
