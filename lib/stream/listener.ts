// One LISTEN connection per web process, shared by every open stream. Event
// rows are read once here and fanned out, not once per browser. When the
// connection drops it reconnects, and subscribers are told to resync.
import "server-only";
import pg from "pg";
import { requireDatabaseUrl } from "@/lib/env";
import { log } from "@/lib/log";
import { getEvent, type EventView } from "@/lib/events/service";
import { busMessage, CHANNEL, type MetricPoint } from "@/lib/realtime/messages";

export type Delivery =
  { type: "event"; event: EventView } | { type: "metrics"; points: MetricPoint[] } | { type: "changed"; subject: string; id?: string } | { type: "resync" };

type Subscriber = (delivery: Delivery) => void;

class Listener {
  private subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private everConnected = false;

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    void this.ensureConnected();
    return () => this.subscribers.delete(fn);
  }

  get size(): number {
    return this.subscribers.size;
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: requireDatabaseUrl(), keepAlive: true });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    client.on("notification", (msg) => void this.onNotification(msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      // Anything sent while we were away is lost to us: tell streams to refetch.
      if (this.everConnected) this.deliver({ type: "resync" });
      this.everConnected = true;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error: Error) {
    if (this.client && this.client !== client) return;
    this.client = null;
    client.removeAllListeners("notification");
    void client.end().catch(() => {});
    log.warn("realtime.listen-lost", { error: error.message });
    if (this.retryTimer || this.subscribers.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.ensureConnected();
    }, 1000);
  }

  private async onNotification(payload: string | undefined) {
    if (!payload) return;
    let parsed;
    try {
      parsed = busMessage.safeParse(JSON.parse(payload));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.t === "event") {
      const event = await getEvent(BigInt(msg.id)).catch(() => null);
      if (event) this.deliver({ type: "event", event });
    } else if (msg.t === "metrics") {
      this.deliver({ type: "metrics", points: msg.points });
    } else {
      this.deliver({ type: "changed", subject: msg.subject, id: msg.id });
    }
  }

  private deliver(delivery: Delivery) {
    for (const fn of this.subscribers) {
      try {
        fn(delivery);
      } catch (error) {
        log.error("realtime.subscriber-failed", { error: String(error) });
      }
    }
  }
}

const globalForListener = globalThis as unknown as { __clusterdeckListener?: Listener };
export const listener: Listener = (globalForListener.__clusterdeckListener ??= new Listener());
