// Configuration on the client: query keys, the reads a dialog opens (a
// revision's diff, a target's running configuration) and the mutations of
// the editor and the revision and target buttons. The pages are rendered on
// the server: whoever calls a mutation goes on to the page it leads to.
import { useMutation, useQuery } from "@tanstack/react-query";
import type { z } from "zod";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type { targetParams } from "@/lib/config/schemas";

/** A target's kind as its path names it. */
export type TargetPathType = z.output<typeof targetParams>["type"];

export const configKeys = {
  /** Every configuration read; the live stream invalidates it on each configuration or operation notice. */
  all: ["config"] as const,
  diff: (revisionId: string, against: string) => ["config", "diff", revisionId, against] as const,
  running: (type: TargetPathType, id: string) => ["config", "running", type, id] as const,
};

/** A revision's diff against the one before it, or against `against` (a revision id; "" for the one before). */
export function useRevisionDiff(revisionId: string, against: string) {
  return useQuery({
    queryKey: configKeys.diff(revisionId, against),
    queryFn: ({ signal }) => callApi(api.config.diff, { params: { id: revisionId }, query: against ? { against } : {}, signal }),
  });
}

/** What the target's agent runs against what it should run (asks the agent). */
export function useRunningConfig(type: TargetPathType, id: string) {
  return useQuery({
    queryKey: configKeys.running(type, id),
    queryFn: ({ signal }) => callApi(api.config.running, { params: { type, id }, signal }),
  });
}

type Input = Record<string, unknown>;

/** Renders and checks a candidate without saving it. */
export function useValidateConfig(scope: string) {
  return useMutation({ mutationFn: (input: Input) => callApi(api.config.validate, { params: { scope }, body: { input } }) });
}

export function useCreateRevision(scope: string) {
  return useMutation({
    mutationFn: (body: { input: Input; message: string }) => callApi(api.config.createRevision, { params: { scope }, body }),
  });
}

/** Starts a rolling deployment of the revision; answers the operation. */
export function useDeployRevision(revisionId: string) {
  return useMutation({
    mutationFn: (body: { batchSize: number; pauseSeconds: number; reason: string }) => callApi(api.config.deploy, { params: { id: revisionId }, body }),
  });
}

/** Saves a new revision with this revision's content. */
export function useRollback(revisionId: string) {
  return useMutation({ mutationFn: (message: string) => callApi(api.config.rollback, { params: { id: revisionId }, body: { message } }) });
}

/** Deploys again, to this target alone, the revision it should run; answers the operation. */
export function useReconcile(type: TargetPathType, id: string) {
  return useMutation({ mutationFn: (reason: string) => callApi(api.config.reconcile, { params: { type, id }, body: { reason } }) });
}
