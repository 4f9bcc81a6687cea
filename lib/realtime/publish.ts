// The only place that sends on the bus (PostgreSQL NOTIFY). Every payload is a
// `BusMessage` (lib/realtime/messages.ts), checked before it goes out, so the
// web instances' listener (lib/stream/listener.ts) can always read it.
// Sent with a transaction client, a message goes out when the transaction
// commits, and not at all if it rolls back: a page is never told of a change
// that did not happen.
import type { Tx } from "@/lib/db/client";
import { busMessage, CHANNEL, chunkMetrics, OPERATIONS_CHANNEL, type ChangedSubject, type MetricPoint } from "@/lib/realtime/messages";

/** Anything that can run SQL: the client, or a transaction. */
type Sender = Pick<Tx, "$executeRaw">;

async function notify(db: Sender, channel: string, payload: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
}

/** A row was added to Event: every open stream reads it and shows it. Use recordEvent (lib/events/record.ts), which calls this. */
export async function publishEvent(db: Sender, eventId: bigint): Promise<void> {
  await notify(db, CHANNEL, JSON.stringify(busMessage.parse({ t: "event", id: eventId.toString() })));
}

/** Something pages show changed (inventory, state, an operation): they refetch what they show of it. */
export async function publishChanged(db: Sender, subject: ChangedSubject, id?: string): Promise<void> {
  await notify(db, CHANNEL, JSON.stringify(busMessage.parse({ t: "changed", subject, ...(id === undefined ? {} : { id }) })));
}

/** Live figures for the charts, split into NOTIFY-sized messages. */
export async function publishMetrics(db: Sender, points: MetricPoint[]): Promise<void> {
  for (const message of chunkMetrics(points)) await notify(db, CHANNEL, message);
}

/** Wakes the leader worker: an operation was queued or approved (it also polls, so a lost wake-up only delays). */
export async function wakeWorker(db: Sender, operationId: string): Promise<void> {
  await notify(db, OPERATIONS_CHANNEL, operationId);
}
