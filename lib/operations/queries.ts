// Operations on the client: query keys, the live operation, the checks an
// operator reads before acting (drain impact, promotion check), and the
// mutations that start, approve or cancel an operation. The pages that start
// one open its progress page with the answer's id; nothing here refreshes a
// server-rendered page.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import type { z } from "zod";
import { callApi } from "@/lib/api/client";
import type { OperationAnswer, OperationState } from "@/lib/operations/schemas";

export const operationKeys = {
  /** Every operation; the live stream invalidates it on each operation or configuration notice. */
  all: ["operations"] as const,
  detail: (id: string) => ["operations", id] as const,
  // The checks below are read live from agents under an open dialog: outside `all` on purpose, so an
  // operation notice does not re-run them (and change the generation a promotion will send back).
  drainImpact: (nodeId: string) => ["drain-impact", nodeId] as const,
  promotionCheck: (clusterId: string) => ["promotion-check", clusterId] as const,
};

/** What a route takes as its body (before defaults). */
type BodyOf<S extends { body: z.ZodType }> = z.input<S["body"]>;

const isActive = (state: OperationState) => state === "AWAITING_APPROVAL" || state === "PENDING" || state === "RUNNING";

/** One operation, refetched every second while it waits or runs (and at once when the stream says it changed). */
export function useOperation(initial: OperationAnswer) {
  return useQuery({
    queryKey: operationKeys.detail(initial.id),
    queryFn: ({ signal }) => callApi(api.operations.get, { params: { id: initial.id }, signal }),
    initialData: initial,
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.state) ? 1000 : false),
  });
}

export function useApproveOperation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) => callApi(api.operations.approve, { params: { id }, body: { reason } }),
    onSuccess: () => client.invalidateQueries({ queryKey: operationKeys.detail(id) }),
  });
}

export function useCancelOperation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (reason: string) => callApi(api.operations.cancel, { params: { id }, body: { reason } }),
    onSuccess: () => client.invalidateQueries({ queryKey: operationKeys.detail(id) }),
  });
}

// ---------------------------------------------------------------- nodes

export function useDrainImpact(nodeId: string) {
  return useQuery({
    queryKey: operationKeys.drainImpact(nodeId),
    queryFn: ({ signal }) => callApi(api.nodeActions.drainImpact, { params: { id: nodeId }, signal }),
  });
}

export function useDrain(nodeId: string) {
  return useMutation({ mutationFn: (body: BodyOf<typeof api.nodeActions.drain>) => callApi(api.nodeActions.drain, { params: { id: nodeId }, body }) });
}

export function useResume(nodeId: string) {
  return useMutation({ mutationFn: (body: BodyOf<typeof api.nodeActions.resume>) => callApi(api.nodeActions.resume, { params: { id: nodeId }, body }) });
}

export function useMaintenance(nodeId: string) {
  return useMutation({
    mutationFn: (body: BodyOf<typeof api.nodeActions.maintenance>) => callApi(api.nodeActions.maintenance, { params: { id: nodeId }, body }),
  });
}

// ---------------------------------------------------------------- databases

export function usePromotionCheck(clusterId: string) {
  return useQuery({
    queryKey: operationKeys.promotionCheck(clusterId),
    queryFn: ({ signal }) => callApi(api.databaseActions.promotionCheck, { params: { id: clusterId }, signal }),
  });
}

export function usePromote(clusterId: string) {
  return useMutation({
    mutationFn: (body: BodyOf<typeof api.databaseActions.promote>) => callApi(api.databaseActions.promote, { params: { id: clusterId }, body }),
  });
}

export function useRebuild(databaseId: string) {
  return useMutation({
    mutationFn: (reason: string) => callApi(api.databaseActions.rebuild, { params: { id: databaseId }, body: { reason } }),
  });
}
