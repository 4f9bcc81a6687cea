import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { getOperation } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.operations.get, ({ params }) => getOperation(params.id));
