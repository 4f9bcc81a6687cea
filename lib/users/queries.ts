// Client side of user administration: query keys and mutation hooks. The
// tables are rendered on the server, so every change ends with
// router.refresh(); the keys are invalidated too for any client cache.
"use client";
import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import { useRefreshAfterChange } from "@/lib/http/client";
import type { UserCreate, UserUpdate } from "@/lib/users/schemas";

export const userKeys = { all: ["users"] as const };

const useAfterChange = () => useRefreshAfterChange(userKeys.all);

export function useCreateUser() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: (input: UserCreate) => callApi(api.users.create, { body: input }),
    onSuccess,
  });
}

export function useUpdateUser() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: ({ id, ...patch }: UserUpdate & { id: string }) => callApi(api.users.update, { params: { id }, body: patch }),
    onSuccess,
  });
}

export function useResetPassword() {
  const onSuccess = useAfterChange();
  return useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) => callApi(api.users.resetPassword, { params: { id }, body: { password } }),
    onSuccess,
    // The password is in the mutation's variables: do not keep it around.
    gcTime: 0,
  });
}
