import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { listEvents } from "@/lib/events/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.events.list, ({ query }) => listEvents(query));
