import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { promotionCheck } from "@/lib/operations/databases";

export const dynamic = "force-dynamic";

export const GET = handler(api.databaseActions.promotionCheck, ({ params }) => promotionCheck(params.id));
