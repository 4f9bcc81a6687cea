// Replication slots: the console keeps one physical slot per replica member
// on each cluster's primary (clusterdeck_<member id>), and each in-service
// replica streams through its own. A promotion and a rebuild set them as
// their own step; the keeper below repairs the rest every half minute: a
// replica added to the inventory gets its slot, a removed member's slot is
// dropped, a replica that streams without its slot is told to use it.
import type { Db } from "@/lib/db/client";
import { DEFAULT_SLOT_WAL_LIMIT_MB, slotNameFor } from "@/lib/agent-protocol/postgres-slots";
import { log } from "@/lib/log";
import { act } from "@/worker/db-agent";

const KEEP_EVERY_MS = 30_000;

/** On the primary: one slot per replica member, nothing else of the console's. Says how it went, for an operation's steps. */
export async function keepSlots(db: Db, clusterId: string, primary: { id: string; name: string }): Promise<{ ok: boolean; note: string }> {
  const replicas = await db.databaseInstance.findMany({ where: { clusterId, role: "REPLICA" }, select: { id: true } });
  try {
    const r = await act("DATABASE", primary.id, {
      action: "postgres.slots",
      keep: replicas.map((m) => slotNameFor(m.id)),
      maxWalKeepMb: DEFAULT_SLOT_WAL_LIMIT_MB,
    });
    const created = (r?.created as string[] | undefined)?.length ?? 0;
    const dropped = (r?.dropped as string[] | undefined)?.length ?? 0;
    const note = `slots on ${primary.name}: ${replicas.length} kept (${created} created, ${dropped} dropped), max_slot_wal_keep_size ${String(r?.maxSlotWalKeepSize)}`;
    return { ok: true, note };
  } catch (error) {
    return { ok: false, note: `slots on ${primary.name} could not be set: ${(error as Error).message}` };
  }
}

export class SlotKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly everyMs = KEEP_EVERY_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.keep().catch((error) => log.warn("slots.keep-failed", { error: String(error) })), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async keep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const clusters = await this.db.cluster.findMany({
        select: {
          id: true,
          databases: { where: { agentUrl: { not: null }, health: { not: "DOWN" } }, select: { id: true, name: true, role: true, fence: true } },
        },
      });
      for (const cluster of clusters) await this.keepCluster(cluster.id, cluster.databases);
    } finally {
      this.running = false;
    }
  }

  private async keepCluster(clusterId: string, members: { id: string; name: string; role: string; fence: string }[]) {
    const primary = members.find((m) => m.role === "PRIMARY" && m.fence === "NONE");
    if (!primary) return;
    // A promotion or rebuild sets slots itself, and its primary may change under us meanwhile.
    const busy = await this.db.operation.count({
      where: {
        kind: { in: ["db.promote", "db.rebuild"] },
        state: { in: ["PENDING", "RUNNING"] },
        subjectId: { in: [clusterId, ...members.map((m) => m.id)] },
      },
    });
    if (busy > 0) return;
    const slots = await keepSlots(this.db, clusterId, primary);
    // A replica told to use a slot the primary lacks stops streaming: only after the primary has them.
    if (!slots.ok) return log.warn("slots.primary-failed", { cluster: clusterId, note: slots.note });
    for (const replica of members.filter((m) => m.role === "REPLICA" && m.fence === "NONE")) {
      // Only the slot name: the primary it follows is the promotion's business (no race with one).
      await act("DATABASE", replica.id, { action: "postgres.use-slot", slot: slotNameFor(replica.id) }).catch((error) =>
        log.warn("slots.replica-failed", { member: replica.name, error: String(error) }),
      );
    }
  }
}
