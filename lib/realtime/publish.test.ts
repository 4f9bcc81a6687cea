// The bus: what publish() sends is what the listener can read, and nothing
// else leaves (a typo in a subject is refused at the sender, not dropped
// silently by every web instance).
import { describe, expect, it } from "vitest";
import { busMessage } from "@/lib/realtime/messages";
import { publishChanged, publishEvent, publishMetrics, wakeWorker } from "@/lib/realtime/publish";

/** Records what would be sent: the tagged template's values are (channel, payload). */
function recorder() {
  const sent: { channel: string; payload: string }[] = [];
  const db = {
    $executeRaw: (_sql: TemplateStringsArray, channel: string, payload: string) => {
      sent.push({ channel, payload });
      return Promise.resolve(1);
    },
  } as unknown as Parameters<typeof publishChanged>[0];
  return { db, sent };
}

describe("publish", () => {
  it("sends only messages the listener's schema reads", async () => {
    const { db, sent } = recorder();
    await publishEvent(db, 42n);
    await publishChanged(db, "NODE", "n1");
    await publishChanged(db, "DATABASE");
    await publishMetrics(db, [{ key: "NODE:n1", at: 1, health: "UP", sessions: 3 }]);
    expect(sent.map((s) => s.channel)).toEqual(["clusterdeck", "clusterdeck", "clusterdeck", "clusterdeck"]);
    for (const s of sent) expect(busMessage.safeParse(JSON.parse(s.payload)).success, s.payload).toBe(true);
    expect(JSON.parse(sent[0]!.payload)).toEqual({ t: "event", id: "42" });
    expect(JSON.parse(sent[2]!.payload)).toEqual({ t: "changed", subject: "DATABASE" });
  });

  it("refuses a subject the listener does not know, before sending", async () => {
    const { db, sent } = recorder();
    await expect(publishChanged(db, "NODES" as never, "n1")).rejects.toThrow();
    expect(sent).toEqual([]);
  });

  it("splits metrics into NOTIFY-sized messages", async () => {
    const { db, sent } = recorder();
    const points = Array.from({ length: 400 }, (_, i) => ({ key: `NODE:node-${i}`, at: i, health: "UP" as const, sessions: i, latencyMs: 1.5, cpu: 0.25 }));
    await publishMetrics(db, points);
    expect(sent.length).toBeGreaterThan(1);
    for (const s of sent) expect(Buffer.byteLength(s.payload)).toBeLessThanOrEqual(8000);
    expect(sent.flatMap((s) => JSON.parse(s.payload).points)).toHaveLength(400);
  });

  it("wakes the worker on its own channel with the operation's id", async () => {
    const { db, sent } = recorder();
    await wakeWorker(db, "op1");
    expect(sent).toEqual([{ channel: "clusterdeck_ops", payload: "op1" }]);
  });
});
