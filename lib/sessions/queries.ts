// Client side of sessions: the caller's own session (read, and activity
// reported, by the session keeper), session administration (ending a
// session, making a wall display) and opening a wall display's link.
// The display's one-time code is in the mutation result only; gcTime 0 drops
// it from the mutation cache as soon as the dialog lets go of it.
"use client";
import { useMutation } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import { useRefreshAfterChange } from "@/lib/http/client";
import type { DisplayCreate } from "@/lib/sessions/schemas";

export const sessionKeys = { all: ["sessions"] as const };

/** The caller's session: how long it has left. Reading it is not activity. */
export const readSession = () => callApi(api.session.get);

/** The user is at work (real input): the idle timeout starts again. */
export const reportActivity = () => callApi(api.session.activity);

/** Opens a wall display's link: sets the display's session cookie. */
export const claimDisplay = (code: string) => callApi(api.displays.claim, { body: { code } });

export function useEndSession() {
  const onSuccess = useRefreshAfterChange(sessionKeys.all);
  return useMutation({
    mutationFn: (id: string) => callApi(api.sessions.end, { params: { id } }),
    onSuccess,
  });
}

export function useCreateDisplay() {
  const onSuccess = useRefreshAfterChange(sessionKeys.all);
  return useMutation({
    mutationFn: (input: DisplayCreate) => callApi(api.displays.create, { body: input }),
    onSuccess,
    gcTime: 0,
  });
}
