import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getLoadBalancer, updateLoadBalancer, deleteLoadBalancer } from "@/lib/inventory/load-balancers";

export const dynamic = "force-dynamic";

export const GET = handler(api.loadBalancers.get, ({ params }) => getLoadBalancer(params.id));
export const PATCH = handler(api.loadBalancers.update, ({ params, body, audit }) => updateLoadBalancer(params.id, body, audit));
export const DELETE = handler(api.loadBalancers.remove, ({ params, audit }) => deleteLoadBalancer(params.id, audit));
