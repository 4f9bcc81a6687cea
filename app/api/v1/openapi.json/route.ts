import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { openApiDocument } from "@/lib/api/openapi";
import { version } from "@/lib/agent-protocol/version";

export const dynamic = "force-dynamic";

export const GET = handler(api.openapi, async () => openApiDocument(version));
