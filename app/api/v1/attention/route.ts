import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { needsAttention } from "@/lib/attention/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.attention, ({ query }) => needsAttention(query.clusterId));
