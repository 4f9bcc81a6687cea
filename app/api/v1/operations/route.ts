import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listOperations } from "@/lib/operations/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.operations.list, ({ query }) => listOperations(query));
