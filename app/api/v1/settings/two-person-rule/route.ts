import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { setTwoPersonRule, twoPersonRule } from "@/lib/operations/approval";

export const dynamic = "force-dynamic";

export const GET = handler(api.settings.twoPersonRule, async () => ({ twoPersonRule: await twoPersonRule() }));
export const POST = handler(api.settings.setTwoPersonRule, ({ body, audit }) => setTwoPersonRule(body.enabled, body.reason, audit));
