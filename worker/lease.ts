// Leader election over one database row. The leader renews its lease every
// `renewMs`; standbys try every `standbyPollMs` and may take the row once it
// has expired, so a dead or hung leader is replaced within `ttlMs` +
// `standbyPollMs` of its last renewal. Times come from the
// database clock, so workers on different hosts agree on expiry. A leader
// that cannot renew (database unreachable) steps down before its lease can
// have expired, so two leaders never overlap by its own reckoning.
import type { Db } from "@/lib/db/client";

export type LeaseEvents = {
  onElected: (epoch: number) => void | Promise<void>;
  onDeposed: (why: string) => void | Promise<void>;
};

export class LeaderLease {
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private validUntil = 0;
  private epoch = 0;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    readonly holder: string,
    private readonly events: LeaseEvents,
    private readonly ttlMs = 3000,
    private readonly renewMs = 1000,
    // A failed attempt is one indexed row read: cheap enough to make takeover prompt.
    private readonly standbyPollMs = 250,
  ) {}

  get isLeader(): boolean {
    return this.leading && Date.now() < this.validUntil;
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  start(): void {
    void this.tick();
  }

  /** Gives the lease up at once, so a standby need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      await this.setLeading(false, "stopping");
      await this.db.$executeRaw`UPDATE "WorkerLease" SET "expiresAt" = now() WHERE "name" = ${this.name} AND "holder" = ${this.holder}`.catch(() => {});
    }
  }

  async tryAcquire(): Promise<number | null> {
    const rows = await this.db.$queryRaw<{ epoch: number }[]>`
      INSERT INTO "WorkerLease" ("name", "holder", "epoch", "expiresAt", "renewedAt")
      VALUES (${this.name}, ${this.holder}, 1, now() + make_interval(secs => ${this.ttlMs / 1000}), now())
      ON CONFLICT ("name") DO UPDATE SET
        "epoch" = CASE WHEN "WorkerLease"."holder" = EXCLUDED."holder" THEN "WorkerLease"."epoch" ELSE "WorkerLease"."epoch" + 1 END,
        "holder" = EXCLUDED."holder",
        "expiresAt" = EXCLUDED."expiresAt",
        "renewedAt" = now()
      WHERE "WorkerLease"."holder" = EXCLUDED."holder" OR "WorkerLease"."expiresAt" < now()
      RETURNING "epoch"`;
    return rows[0]?.epoch ?? null;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      const epoch = await this.tryAcquire();
      if (this.stopped) return; // stop() ran while we waited; it has released the row.
      if (epoch !== null) {
        // Counted from before the query: the database may have granted it that early.
        this.validUntil = started + this.ttlMs - this.renewMs;
        this.epoch = epoch;
        if (!this.leading) await this.setLeading(true, "elected");
      } else if (this.leading) {
        await this.setLeading(false, "another worker holds the lease");
      }
    } catch (error) {
      if (this.leading && Date.now() >= this.validUntil) await this.setLeading(false, `cannot renew the lease: ${(error as Error).message}`);
    }
    if (this.leading && Date.now() >= this.validUntil) await this.setLeading(false, "lease renewal too slow");
    const every = this.leading ? this.renewMs : this.standbyPollMs;
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), Math.max(0, every - (Date.now() - started)));
  }

  private async setLeading(leading: boolean, why: string): Promise<void> {
    this.leading = leading;
    if (leading) await this.events.onElected(this.epoch);
    else await this.events.onDeposed(why);
  }
}
