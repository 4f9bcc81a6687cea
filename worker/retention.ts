// Keeps the samples table small and charts fast: 10 s samples are rolled up
// into minute and hour rows (averages; the worst health; the largest lag),
// and each resolution is deleted once it is older than what any range reads
// from it. Roll-ups record how far they got (Setting rows) in the same
// transaction as the rows they write, so a crash or a second worker never
// counts a bucket twice.
import type { Db } from "@/lib/db/client";
import { log } from "@/lib/log";

export const retention = { RAW: "2 days", MINUTE: "14 days", HOUR: "400 days" } as const;

const steps = [
  { source: "RAW", target: "MINUTE", bucket: "1 minute" },
  { source: "MINUTE", target: "HOUR", bucket: "1 hour" },
] as const;

/** Rolls up every complete bucket not yet rolled up. Returns rows written per target. */
export async function rollUp(db: Db, now = new Date()): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  for (const step of steps) {
    written[step.target] = await db.$transaction(async (tx) => {
      const key = `rollup.${step.target}`;
      // Serialises roll-ups of this resolution across workers.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
      const setting = await tx.setting.findUnique({ where: { key } });
      const until = (setting?.value as { until?: string } | null)?.until;
      const [row] = await tx.$queryRaw<{ upto: Date }[]>`SELECT date_bin(${step.bucket}::interval, ${now}::timestamp, TIMESTAMP '2000-01-01') AS upto`;
      const upto = row!.upto;
      const from = until ? new Date(until) : new Date(0);
      if (from >= upto) return 0;
      const count = await tx.$executeRawUnsafe(
        `INSERT INTO "HealthSample" ("subjectType", "subjectId", "at", "resolution", "health", "sessions", "requestRate", "latencyMs", "cpu", "memory", "lagBytes", "lagSeconds")
         SELECT "subjectType", "subjectId", date_bin($1::interval, "at", TIMESTAMP '2000-01-01'), $2::"SampleResolution",
                (ARRAY['UP','UNKNOWN','DEGRADED','UNREACHABLE','DOWN']::"Health"[])[max(CASE "health" WHEN 'UP' THEN 1 WHEN 'UNKNOWN' THEN 2 WHEN 'DEGRADED' THEN 3 WHEN 'UNREACHABLE' THEN 4 ELSE 5 END)],
                round(avg("sessions"))::int, avg("requestRate"), avg("latencyMs"), avg("cpu"), avg("memory"), max("lagBytes"), max("lagSeconds")
         FROM "HealthSample"
         WHERE "resolution" = $3::"SampleResolution" AND "at" >= $4 AND "at" < $5
         GROUP BY 1, 2, 3`,
        step.bucket,
        step.target,
        step.source,
        from,
        upto,
      );
      await tx.setting.upsert({
        where: { key },
        create: { key, value: { until: upto.toISOString() } },
        update: { value: { until: upto.toISOString() } },
      });
      return count;
    });
  }
  return written;
}

/** Deletes samples older than their resolution is kept. Returns rows deleted. */
export async function prune(db: Db, now = new Date()): Promise<number> {
  let deleted = 0;
  for (const [resolution, age] of Object.entries(retention)) {
    deleted += await db.$executeRawUnsafe(
      `DELETE FROM "HealthSample" WHERE "resolution" = $1::"SampleResolution" AND "at" < $2::timestamp - $3::interval`,
      resolution,
      now,
      age,
    );
  }
  return deleted;
}

/** Ended or expired browser sessions are kept this long for the record (the audit trail keeps each end for good). */
export const SESSION_RETENTION = "30 days";

/** Deletes sessions that ended, or expired, longer ago than SESSION_RETENTION. Returns rows deleted. */
export async function pruneSessions(db: Db, now = new Date()): Promise<number> {
  return db.$executeRawUnsafe(`DELETE FROM "Session" WHERE COALESCE("endedAt", "expiresAt") < $1::timestamp - $2::interval`, now, SESSION_RETENTION);
}

/** Runs roll-up and pruning every minute while started (on the leader only). */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly db: Db) {}

  start(): void {
    const run = () =>
      rollUp(this.db)
        .then(() => prune(this.db))
        .then(() => pruneSessions(this.db))
        .catch((error) => log.error("retention.failed", { error: String(error) }));
    void run();
    this.timer = setInterval(run, 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
