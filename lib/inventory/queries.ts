// Inventory on the client: query keys, the dashboard's summary and the
// mutations. Every write goes through the REST API (callApi, typed by the
// contract) and then invalidates what it made stale, so an open dashboard or
// list island catches up on its own. Server components read through the
// server modules beside this one (clusters.ts, nodes.ts, …) instead and are
// refreshed by the caller with router.refresh().
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { z } from "zod";
import { api } from "@/lib/api/contract";
import { callApi } from "@/lib/api/client";
import type * as s from "@/lib/inventory/schemas";

// Left for components/events/queries.ts, which takes it from here until its own answers are typed by the contract.
export type { Jsonify } from "@/lib/http/json";

export type InventoryEntity = "clusters" | "load-balancers" | "nodes" | "databases" | "poolers";

// ---------------------------------------------------------------- keys

const root = ["inventory"] as const;

export const inventoryKeys = {
  all: root,
  entity: (entity: InventoryEntity) => [...root, entity] as const,
  lists: (entity: InventoryEntity) => [...root, entity, "list"] as const,
  details: (entity: InventoryEntity) => [...root, entity, "detail"] as const,
  detail: (entity: InventoryEntity, id: string) => [...root, entity, "detail", id] as const,
  /** The dashboard's per-tier counts. */
  summary: ["summary"] as const,
};

// ---------------------------------------------------------------- reads

/**
 * The dashboard's figures. Health events invalidate the key the moment they
 * arrive (the live provider); the poll catches what events do not carry, such
 * as sessions moving, and stops while the tab is hidden.
 */
export function useSummary(initial: s.PlatformSummary) {
  return useQuery({
    queryKey: inventoryKeys.summary,
    queryFn: ({ signal }) => callApi(api.summary, { signal }),
    initialData: initial,
    refetchInterval: 5_000,
    refetchIntervalInBackground: false,
  });
}

/**
 * A database member's standbys, slots and archiving, asked of its agent. Not in
 * the live stream (a snapshot's detail, seen only here), so polled while the
 * page is open and the tab is seen.
 */
export function useDatabaseReplication(id: string) {
  return useQuery({
    queryKey: [...inventoryKeys.detail("databases", id), "replication"],
    queryFn: ({ signal }) => callApi(api.databaseReplication, { params: { id }, signal }),
    refetchInterval: 3_000,
    refetchIntervalInBackground: false,
  });
}

// ---------------------------------------------------------------- invalidation

/**
 * What each write makes stale. Views embed their neighbours (a node row shows
 * its cluster's name, a load balancer carries its members, a cluster counts its
 * children), so a write reaches past its own entity.
 */
type Stale = { create: () => QueryKey[]; update: () => QueryKey[]; remove: () => QueryKey[] };

const stale = {
  cluster: {
    create: () => [inventoryKeys.entity("clusters"), inventoryKeys.summary],
    // A renamed cluster appears inside every other view.
    update: () => [inventoryKeys.all, inventoryKeys.summary],
    remove: () => [inventoryKeys.entity("clusters"), inventoryKeys.summary],
  } satisfies Stale,
  loadBalancer: {
    create: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
    // Nodes list the load balancers whose pool holds them, by name.
    update: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("nodes"), inventoryKeys.summary],
    remove: () => [inventoryKeys.entity("load-balancers"), inventoryKeys.entity("nodes"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
  } satisfies Stale,
  node: {
    create: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
    // Pool member rows show the node's name, address and state; capacity feeds the summary.
    update: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("load-balancers"), inventoryKeys.summary],
    remove: () => [inventoryKeys.entity("nodes"), inventoryKeys.entity("load-balancers"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
  } satisfies Stale,
  database: {
    create: () => [inventoryKeys.entity("databases"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
    update: () => [inventoryKeys.entity("databases"), inventoryKeys.summary],
    remove: () => [inventoryKeys.entity("databases"), inventoryKeys.entity("clusters"), inventoryKeys.summary],
  } satisfies Stale,
  pooler: {
    create: () => [inventoryKeys.entity("poolers"), inventoryKeys.entity("clusters")],
    update: () => [inventoryKeys.entity("poolers")],
    remove: () => [inventoryKeys.entity("poolers"), inventoryKeys.entity("clusters")],
  } satisfies Stale,
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

/** Create and update of one entity (delete is useDeleteEntity, shared by every entity's dialog). */
function useEntityMutations<Create, Update, Answer>(
  send: { create: (body: Create) => Promise<Answer>; update: (id: string, body: Update) => Promise<Answer> },
  keys: Stale,
) {
  const invalidate = useInvalidate();
  const create = useMutation({
    mutationFn: send.create,
    onSuccess: () => invalidate(keys.create()),
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Update }) => send.update(id, body),
    onSuccess: () => invalidate(keys.update()),
  });
  return { create, update };
}

// ---------------------------------------------------------------- writes

export const useClusterMutations = () =>
  useEntityMutations(
    {
      create: (body: z.input<typeof s.clusterCreate>) => callApi(api.clusters.create, { body }),
      update: (id, body: z.input<typeof s.clusterUpdate>) => callApi(api.clusters.update, { params: { id }, body }),
    },
    stale.cluster,
  );

export const useLoadBalancerMutations = () =>
  useEntityMutations(
    {
      create: (body: z.input<typeof s.loadBalancerCreate>) => callApi(api.loadBalancers.create, { body }),
      update: (id, body: z.input<typeof s.loadBalancerUpdate>) => callApi(api.loadBalancers.update, { params: { id }, body }),
    },
    stale.loadBalancer,
  );

export const useNodeMutations = () =>
  useEntityMutations(
    {
      create: (body: z.input<typeof s.nodeCreate>) => callApi(api.nodes.create, { body }),
      update: (id, body: z.input<typeof s.nodeUpdate>) => callApi(api.nodes.update, { params: { id }, body }),
    },
    stale.node,
  );

export const useDatabaseMutations = () =>
  useEntityMutations(
    {
      create: (body: z.input<typeof s.databaseCreate>) => callApi(api.databases.create, { body }),
      update: (id, body: z.input<typeof s.databaseUpdate>) => callApi(api.databases.update, { params: { id }, body }),
    },
    stale.database,
  );

export const usePoolerMutations = () =>
  useEntityMutations(
    {
      create: (body: z.input<typeof s.poolerCreate>) => callApi(api.poolers.create, { body }),
      update: (id, body: z.input<typeof s.poolerUpdate>) => callApi(api.poolers.update, { params: { id }, body }),
    },
    stale.pooler,
  );

const byEntity = {
  clusters: { remove: api.clusters.remove, stale: stale.cluster },
  "load-balancers": { remove: api.loadBalancers.remove, stale: stale.loadBalancer },
  nodes: { remove: api.nodes.remove, stale: stale.node },
  databases: { remove: api.databases.remove, stale: stale.database },
  poolers: { remove: api.poolers.remove, stale: stale.pooler },
} satisfies Record<InventoryEntity, unknown>;

/** The delete mutation of any inventory entity (for one shared confirmation dialog). */
export function useDeleteEntity(entity: InventoryEntity) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => callApi(byEntity[entity].remove, { params: { id } }),
    onSuccess: () => invalidate(byEntity[entity].stale.remove()),
  });
}

export function useAddPoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: z.input<typeof s.poolMemberCreate>) => callApi(api.poolMembers.add, { params: { id: loadBalancerId }, body }),
    onSuccess: (_data, body) => invalidate(stale.poolMember(loadBalancerId, body.nodeId)),
  });
}

export function useUpdatePoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ nodeId, body }: { nodeId: string; body: z.input<typeof s.poolMemberUpdate> }) =>
      callApi(api.poolMembers.update, { params: { id: loadBalancerId, nodeId }, body }),
    onSuccess: (_data, { nodeId }) => invalidate(stale.poolMember(loadBalancerId, nodeId)),
  });
}

export function useRemovePoolMember(loadBalancerId: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (nodeId: string) => callApi(api.poolMembers.remove, { params: { id: loadBalancerId, nodeId } }),
    onSuccess: (_data, nodeId) => invalidate(stale.poolMember(loadBalancerId, nodeId)),
  });
}
