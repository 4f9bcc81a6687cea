import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listLoadBalancers, createLoadBalancer } from "@/lib/inventory/load-balancers";

export const dynamic = "force-dynamic";

export const GET = handler(api.loadBalancers.list, ({ query }) => listLoadBalancers(query));
export const POST = handler(api.loadBalancers.create, ({ body, audit }) => createLoadBalancer(body, audit));
