// Server-side helpers for the inventory pages: the cluster options of the
// forms, and turning the service's 404 into the not-found page.
import "server-only";
import { cache } from "react";
import { notFound } from "next/navigation";
import { isDomainError } from "@/lib/common/errors";
import { idSchema } from "@/lib/common/schemas";
import { firstValue, type SearchParams } from "@/lib/common/search-params";
import { clusterChoices, getCluster } from "@/lib/inventory/clusters";
import { getLoadBalancer } from "@/lib/inventory/load-balancers";
import { getNode } from "@/lib/inventory/nodes";
import { getDatabase } from "@/lib/inventory/databases";
import { getPooler } from "@/lib/inventory/poolers";
import { requirePage } from "@/lib/sign-in/session";
import type { Permission } from "@/lib/auth/permissions";
import type { ClusterOption } from "@/components/inventory/labels";

/** requirePage once per request, shared by generateMetadata and the page. */
export const pageActor = cache((permission: Permission) => requirePage(permission));

/** Every cluster for a select or a filter: all of them (a page of 200 left the rest unselectable). */
export function clusterOptions(): Promise<ClusterOption[]> {
  return clusterChoices();
}

/** Calls the service; a 404 from it, or an id that cannot exist, shows the not-found page. */
async function orNotFound<T>(id: string, load: (id: string) => Promise<T>): Promise<T> {
  if (!idSchema.safeParse(id).success) notFound();
  try {
    return await load(id);
  } catch (error) {
    if (isDomainError(error, "not_found")) notFound();
    throw error;
  }
}

// cache(): generateMetadata and the page read the same row once per request.
export const loadCluster = cache((id: string) => orNotFound(id, getCluster));
export const loadLoadBalancer = cache((id: string) => orNotFound(id, getLoadBalancer));
export const loadNode = cache((id: string) => orNotFound(id, getNode));
export const loadDatabase = cache((id: string) => orNotFound(id, getDatabase));
export const loadPooler = cache((id: string) => orNotFound(id, getPooler));

/** The cluster a "New …" form starts with: ?clusterId= when it names one, or the only cluster there is. */
export function defaultCluster(clusters: ClusterOption[], searchParams: SearchParams): string | undefined {
  const wanted = firstValue(searchParams.clusterId);
  if (wanted && clusters.some((c) => c.id === wanted)) return wanted;
  return clusters.length === 1 ? clusters[0]?.id : undefined;
}
