// Client side of session administration: ending a session, making a wall
// display. The display's one-time code is in the mutation result only; gcTime
// 0 drops it from the mutation cache as soon as the dialog lets go of it.
"use client";
import { useMutation } from "@tanstack/react-query";
import { apiFetch, useRefreshAfterChange } from "@/lib/http/client";
import type { Jsonify } from "@/lib/http/json";
import type { SessionView } from "@/lib/sessions/service";
import type { DisplayCreate } from "@/lib/sessions/schemas";

export type SessionWire = Jsonify<SessionView>;
export type CreatedDisplay = SessionWire & { code: string };

export const sessionKeys = { all: ["sessions"] as const };

export function useEndSession() {
  const onSuccess = useRefreshAfterChange(sessionKeys.all);
  return useMutation({
    mutationFn: (id: string) => apiFetch<SessionWire>(`/api/v1/sessions/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess,
  });
}

export function useCreateDisplay() {
  const onSuccess = useRefreshAfterChange(sessionKeys.all);
  return useMutation({
    mutationFn: (input: DisplayCreate) => apiFetch<CreatedDisplay>("/api/v1/displays", { method: "POST", body: input }),
    onSuccess,
    gcTime: 0,
  });
}
