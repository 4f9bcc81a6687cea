// Server-side helpers for the inventory pages: reading list filters from the
// URL without ever failing on a bad link, the cluster options of the forms,
// and turning the service's 404 into the not-found page.
import "server-only";
import { cache } from "react";
import { notFound } from "next/navigation";
import type { z } from "zod";
import { ApiError } from "@/lib/api/problem";
import { idSchema } from "@/lib/common/schemas";
import { getCluster, getDatabase, getLoadBalancer, getNode, listClusters } from "@/lib/inventory/service";
import { requirePage } from "@/lib/auth/session";
import type { Permission } from "@/lib/auth/permissions";
import type { ClusterOption } from "@/components/inventory/labels";

/** requirePage once per request, shared by generateMetadata and the page. */
export const pageActor = cache((permission: Permission) => requirePage(permission));

export type SearchParams = Record<string, string | string[] | undefined>;

export const firstValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * Validates list filters with the list schema. A filter that does not parse
 * (an old link, a hand-edited URL) is dropped and named in `ignored`, and the
 * rest still apply; if nothing parses, the defaults do.
 */
export function parseListQuery<S extends z.ZodType<unknown, Record<string, unknown>>>(
  schema: S,
  raw: SearchParams,
  keys: readonly string[],
): { query: z.output<S>; params: Record<string, string | undefined>; ignored: string[] } {
  const input: Record<string, string> = {};
  for (const key of keys) {
    const value = firstValue(raw[key])?.trim();
    if (value) input[key] = value;
  }
  const ignored: string[] = [];
  for (let attempt = 0; attempt < keys.length + 1; attempt++) {
    const parsed = schema.safeParse(input);
    if (parsed.success) return { query: parsed.data, params: { ...input }, ignored };
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    const removable = [...bad].filter((k) => k in input);
    if (removable.length === 0) break;
    for (const k of removable) {
      delete input[k];
      ignored.push(k);
    }
  }
  return { query: schema.parse({}), params: {}, ignored: Object.keys(input).concat(ignored) };
}

/** Every cluster for a select (the API caps a page at 200). */
export async function clusterOptions(): Promise<ClusterOption[]> {
  const page = await listClusters({ page: 1, pageSize: 200 });
  return page.items.map((c) => ({ id: c.id, name: c.name, environment: c.environment }));
}

/** Calls the service; a 404 from it, or an id that cannot exist, shows the not-found page. */
async function orNotFound<T>(id: string, load: (id: string) => Promise<T>): Promise<T> {
  if (!idSchema.safeParse(id).success) notFound();
  try {
    return await load(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}

// cache(): generateMetadata and the page read the same row once per request.
export const loadCluster = cache((id: string) => orNotFound(id, getCluster));
export const loadLoadBalancer = cache((id: string) => orNotFound(id, getLoadBalancer));
export const loadNode = cache((id: string) => orNotFound(id, getNode));
export const loadDatabase = cache((id: string) => orNotFound(id, getDatabase));

/** The cluster a "New …" form starts with: ?clusterId= when it names one, or the only cluster there is. */
export function defaultCluster(clusters: ClusterOption[], searchParams: SearchParams): string | undefined {
  const wanted = firstValue(searchParams.clusterId);
  if (wanted && clusters.some((c) => c.id === wanted)) return wanted;
  return clusters.length === 1 ? clusters[0]?.id : undefined;
}
