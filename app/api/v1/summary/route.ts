import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { platformSummary } from "@/lib/inventory/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.summary, () => platformSummary());
