import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { acknowledgeEvent } from "@/lib/events/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.events.acknowledge, ({ params, body, audit }) => acknowledgeEvent(BigInt(params.id), body.note, audit));
