import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { readDestinationPolicy, setLinkLocalDestinations } from "@/lib/net/destination-policy";

export const dynamic = "force-dynamic";

export const GET = handler(api.settings.linkLocalDestinations, async () => ({ allowed: (await readDestinationPolicy()).allowLinkLocal }));
export const POST = handler(api.settings.setLinkLocalDestinations, ({ body, audit }) => setLinkLocalDestinations(body.allowed, body.reason, audit));
