import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getCluster, updateCluster, deleteCluster } from "@/lib/inventory/clusters";

export const dynamic = "force-dynamic";

export const GET = handler(api.clusters.get, ({ params }) => getCluster(params.id));
export const PATCH = handler(api.clusters.update, ({ params, body, audit }) => updateCluster(params.id, body, audit));
export const DELETE = handler(api.clusters.remove, ({ params, audit }) => deleteCluster(params.id, audit));
