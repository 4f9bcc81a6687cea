import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listAudit } from "@/lib/audit/trail";

export const dynamic = "force-dynamic";

export const GET = handler(api.audit, ({ query }) => listAudit(query));
