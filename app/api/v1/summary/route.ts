import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { platformSummary } from "@/lib/inventory/summary";

export const dynamic = "force-dynamic";

export const GET = handler(api.summary, () => platformSummary());
