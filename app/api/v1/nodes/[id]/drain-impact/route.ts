import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { drainImpact } from "@/lib/operations/nodes";

export const dynamic = "force-dynamic";

export const GET = handler(api.nodeActions.drainImpact, ({ params }) => drainImpact(params.id));
