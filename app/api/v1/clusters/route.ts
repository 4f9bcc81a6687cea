import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listClusters, createCluster } from "@/lib/inventory/clusters";

export const dynamic = "force-dynamic";

export const GET = handler(api.clusters.list, ({ query }) => listClusters(query));
export const POST = handler(api.clusters.create, ({ body, audit }) => createCluster(body, audit));
