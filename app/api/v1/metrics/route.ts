import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { readMetrics } from "@/lib/metrics/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.metrics, ({ query }) => readMetrics(query));
