// Inventory on the client: query keys, read hooks and the mutations. Every
// write goes through the REST API (apiFetch) and then invalidates what it
// made stale, so an open dashboard or list island catches up on its own.
// Server components read through the server modules beside this one
// (clusters.ts, nodes.ts, …) instead and are refreshed by the caller with
// router.refresh().
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { z } from "zod";
import { apiFetch, qs } from "@/lib/http/client";
import type { Jsonify } from "@/lib/http/json";
import type { Page } from "@/lib/common/schemas";
import type * as s from "@/lib/inventory/schemas";
import type { ClusterView } from "@/lib/inventory/clusters";
import type { LoadBalancerDetail, LoadBalancerView } from "@/lib/inventory/load-balancers";
import type { NodeDetail, NodeView } from "@/lib/inventory/nodes";
import type { DatabaseView } from "@/lib/inventory/databases";
import type { PoolMemberView } from "@/lib/inventory/pool";

/** A server view as these hooks return it (JSON: dates and bigints as strings). */
export type { Jsonify };

export type InventoryEntity = "clusters" | "load-balancers" | "nodes" | "databases";

type ListParams = Record<string, string | number | undefined>;

// ---------------------------------------------------------------- keys

const root = ["inventory"] as const;

export const inventoryKeys = {
  all: root,
  entity: (entity: InventoryEntity) => [...root, entity] as const,
  lists: (entity: InventoryEntity) => [...root, entity, "list"] as const,
  list: (entity: InventoryEntity, params: ListParams = {}) => [...root, entity, "list", params] as const,
  details: (entity: InventoryEntity) => [...root, entity, "detail"] as const,
  detail: (entity: InventoryEntity, id: string) => [...root, entity, "detail", id] as const,
};

/** The dashboard's per-tier counts (components/dashboard uses this key). */
export const summaryKey = ["summary"] as const;

const base = (entity: InventoryEntity) => `/api/v1/${entity}`;

// ---------------------------------------------------------------- reads

function useList<T>(entity: InventoryEntity, params: ListParams, initialData?: Page<T>) {
  return useQuery({
    queryKey: inventoryKeys.list(entity, params),
    queryFn: ({ signal }) => apiFetch<Page<T>>(base(entity) + qs(params), { signal }),
    initialData,
  });
}

function useDetail<T>(entity: InventoryEntity, id: string, initialData?: T) {
  return useQuery({
    queryKey: inventoryKeys.detail(entity, id),
    queryFn: ({ signal }) => apiFetch<T>(`${base(entity)}/${encodeURIComponent(id)}`, { signal }),
    initialData,
  });
}

type ListInput<S extends z.ZodType> = Partial<Record<keyof z.input<S> & string, string | number>>;

export const useClusters = (params: ListInput<typeof s.clusterList> = {}, initial?: Page<Jsonify<ClusterView>>) => useList("clusters", params, initial);
export const useCluster = (id: string, initial?: Jsonify<ClusterView>) => useDetail("clusters", id, initial);

export const useLoadBalancers = (params: ListInput<typeof s.loadBalancerList> = {}, initial?: Page<Jsonify<LoadBalancerView>>) =>
  useList("load-balancers", params, initial);
export const useLoadBalancer = (id: string, initial?: Jsonify<LoadBalancerDetail>) => useDetail("load-balancers", id, initial);

export const useNodes = (params: ListInput<typeof s.nodeList> = {}, initial?: Page<Jsonify<NodeView>>) => useList("nodes", params, initial);
export const useNode = (id: string, initial?: Jsonify<NodeDetail>) => useDetail("nodes", id, initial);

export const useDatabases = (params: ListInput<typeof s.databaseList> = {}, initial?: Page<Jsonify<DatabaseView>>) => useList("databases", params, initial);
export const useDatabase = (id: string, initial?: Jsonify<DatabaseView>) => useDetail("databases", id, initial);

// ---------------------------------------------------------------- invalidation

/**
 * What each write makes stale. Views embed their neighbours (a node row shows
 * its cluster's name, a load balancer carries its members, a cluster counts its
 * children), so a write reaches past its own entity.
 */
type Stale = { create: () => QueryKey[]; update: () => QueryKey[]; remove: () => QueryKey[] };

const stale = {
  cluster: {
    create: () => [inventoryKeys.entity("clusters"), summaryKey],
    // A renamed cluster appears inside every other view.
    update: () => [inventoryKeys.all, summaryKey],
    remove: () => [inventoryKeys.entity("clusters"), summaryKey],
  } satisfies Stale,
  loadBalancer: {
    create: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("clusters"), summaryKey],
    // Nodes list the load balancers whose pool holds them, by name.
    update: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("nodes"), summaryKey],
    remove: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("nodes"), inventoryKeys.entity("clusters"), summaryKey],
  } satisfies Stale,
  node: {
    create: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("clusters"), summaryKey],
    // Pool member rows show the node's name, address and state; capacity feeds the summary.
    update: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("load-balancers"), summaryKey],
    remove: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("load-balancers"), inventoryKeys.entity("clusters"), summaryKey],
  } satisfies Stale,
  database: {
    create: () => [inventoryKeys.entity("databases"), inventoryKeys.entity("clusters"), summaryKey],
    update: () => [inventoryKeys.entity("databases"), summaryKey],
    remove: () => [inventoryKeys.entity("databases"), inventoryKeys.entity("clusters"), summaryKey],
  },
  poolMember: (loadBalancerId: string, nodeId?: string): QueryKey[] => [
    inventoryKeys.detail("load-balancers", loadBalancerId),
    // Lists show the member count.
    inventoryKeys.lists("load-balancers"),
    // The node's page lists its pools; node lists count them.
    nodeId ? inventoryKeys.detail("nodes", nodeId) : inventoryKeys.details("nodes"),
    inventoryKeys.lists("nodes"),
  ],
};

function useInvalidate() {
  const client = useQueryClient();
  return (keys: readonly QueryKey[]) => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));
}

function useEntityMutations<View, Create, Update>(entity: InventoryEntity, keys: Stale) {
  const invalidate = useInvalidate();
  const create = useMutation({
    mutationFn: (body: Create) => apiFetch<Jsonify<View>>(base(entity), { method: "POST", body }),
    onSuccess: () => invalidate(keys.create()),
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Update }) => apiFetch<Jsonify<View>>(`${base(entity)}/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    onSuccess: () => invalidate(keys.update()),
  });
  const remove = useMutation({
    mutationFn: (id: string) => apiFetch<void>(`${base(entity)}/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => invalidate(keys.remove()),
  });
  return { create, update, remove };
}

// ---------------------------------------------------------------- writes

export const useClusterMutations = () =>
  useEntityMutations<ClusterView, z.input<typeof s.clusterCreate>, z.input<typeof s.clusterUpdate>>("clusters", stale.cluster);

export const useLoadBalancerMutations = () =>
  useEntityMutations<LoadBalancerView, z.input<typeof s.loadBalancerCreate>, z.input<typeof s.loadBalancerUpdate>>("load-balancers", stale.loadBalancer);

export const useNodeMutations = () => useEntityMutations<NodeView, z.input<typeof s.nodeCreate>, z.input<typeof s.nodeUpdate>>("nodes", stale.node);

export const useDatabaseMutations = () =>
  useEntityMutations<DatabaseView, z.input<typeof s.databaseCreate>, z.input<typeof s.databaseUpdate>>("databases", stale.database);

const staleByEntity: Record<InventoryEntity, Stale> = {
  clusters: stale.cluster,
  "load-balancers": stale.loadBalancer,
  nodes: stale.node,
  databases: stale.database,
};

/** The delete mutation of any inventory entity (for one shared confirmation dialog). */
export function useDeleteEntity(entity: InventoryEntity) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`${base(entity)}/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => invalidate(staleByEntity[entity].remove()),
  });
}

export function useAddPoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: z.input<typeof s.poolMemberCreate>) =>
      apiFetch<Jsonify<PoolMemberView>>(`/api/v1/load-balancers/${encodeURIComponent(loadBalancerId)}/members`, { method: "POST", body }),
    onSuccess: (_data, body) => invalidate(stale.poolMember(loadBalancerId, body.nodeId)),
  });
}

export function useUpdatePoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ nodeId, body }: { nodeId: string; body: z.input<typeof s.poolMemberUpdate> }) =>
      apiFetch<Jsonify<PoolMemberView>>(`/api/v1/load-balancers/${encodeURIComponent(loadBalancerId)}/members/${encodeURIComponent(nodeId)}`, {
        method: "PATCH",
        body,
      }),
    onSuccess: (_data, { nodeId }) => invalidate(stale.poolMember(loadBalancerId, nodeId)),
  });
}

export function useRemovePoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (nodeId: string) =>
      apiFetch<void>(`/api/v1/load-balancers/${encodeURIComponent(loadBalancerId)}/members/${encodeURIComponent(nodeId)}`, { method: "DELETE" }),
    onSuccess: (_data, nodeId) => invalidate(stale.poolMember(loadBalancerId, nodeId)),
  });
}
