import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { acknowledgeEvents } from "@/lib/events/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.events.acknowledgeMany, ({ body, audit }) => acknowledgeEvents(body.ids.map(BigInt), body.note, audit));
