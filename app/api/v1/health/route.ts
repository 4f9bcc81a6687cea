import { db } from "@/lib/db";
import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { version } from "@/lib/agent-protocol/version";

export const dynamic = "force-dynamic";

export const GET = handler(api.health, async () => {
  let database: "up" | "down" = "up";
  try {
    await db.$queryRaw`SELECT 1`;
  } catch {
    database = "down";
  }
  const body = { status: database === "up" ? "ok" : "degraded", version, database };
  return Response.json(body, { status: database === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
