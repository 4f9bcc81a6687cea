// Server-Sent Events for the console. Authenticated like every API route
// (the wrapper checks the caller before this runs) and re-checked every 30 s,
// so a disabled user's open stream ends too. A reconnecting browser sends
// Last-Event-ID and gets the events it missed, then the live ones, with no
// gap: it subscribes before replaying and drops duplicates by id.
import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { toJson } from "@/lib/http/json";
import { requestActor } from "@/lib/sign-in/session";
import { can } from "@/lib/auth/permissions";
import { signOutCode } from "@/lib/sessions/policy";
import { eventsAfter } from "@/lib/events/service";
import { listener, type Delivery } from "@/lib/stream/listener";
import { eventIdSchema } from "@/lib/events/schemas";
import { streamClientDelta } from "@/lib/telemetry/web-metrics";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;
const RECHECK_MS = 30_000;

export const GET = handler(api.stream, async ({ req, query }) => {
  const headerId = req.headers.get("last-event-id");
  const lastEventId = eventIdSchema.safeParse(headerId).success ? headerId! : query.lastEventId;
  const encoder = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let lastSent = lastEventId ? BigInt(lastEventId) : -1n;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const deliver = (d: Delivery) => {
        if (d.type === "event") {
          if (d.event.id <= lastSent) return;
          lastSent = d.event.id;
          send(`id: ${d.event.id}\nevent: event\ndata: ${toJson(d.event)}\n\n`);
        } else if (d.type === "metrics") {
          send(`event: metrics\ndata: ${toJson(d.points)}\n\n`);
        } else if (d.type === "changed") {
          send(`event: changed\ndata: ${toJson({ subject: d.subject, id: d.id })}\n\n`);
        } else {
          send(`event: resync\ndata: {}\n\n`);
        }
      };

      let replaying = true;
      const buffered: Delivery[] = [];
      const unsubscribe = listener.subscribe((d) => (replaying ? buffered.push(d) : deliver(d)));
      const heartbeat = setInterval(() => send(`: heartbeat ${Date.now()}\n\n`), HEARTBEAT_MS);
      const recheck = setInterval(async () => {
        // Reading the session here is not activity: an open stream never keeps its session alive.
        const caller = await requestActor(req.headers).catch(() => ({ error: "check failed" }) as const);
        if ("error" in caller || !caller.actor || !can(caller.actor.role, "events:read")) {
          const sessionEnded = !("error" in caller) && caller.ended ? signOutCode(caller.ended) : undefined;
          send(`event: end\ndata: ${toJson({ reason: "Your session ended; sign in again", sessionEnded })}\n\n`);
          cleanup();
        }
      }, RECHECK_MS);
      streamClientDelta(1);
      cleanup = () => {
        if (closed) return;
        closed = true;
        streamClientDelta(-1);
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(recheck);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      req.signal.addEventListener("abort", () => cleanup());

      send(`retry: 2000\n: connected\n\n`);
      if (lastEventId) {
        for (const event of await eventsAfter(BigInt(lastEventId))) deliver({ type: "event", event });
      }
      replaying = false;
      for (const d of buffered.splice(0)) deliver(d);
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
  });
});
