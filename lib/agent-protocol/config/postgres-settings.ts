// The PostgreSQL settings the console manages: only ones a reload applies
// (context sighup, superuser or user), so a deploy never needs a restart.
// Values are checked for shape here; PostgreSQL itself checks them again when
// the agent runs ALTER SYSTEM, and a refusal there fails that target.
// synchronous_standby_names is not one of them: its value depends on the
// member's role, so the console sets it per member (the cluster's replication
// mode, lib/agent-protocol/sync-standbys.ts).
import { z } from "zod";

const memory = z.string().regex(/^\d{1,10}(kB|MB|GB|TB)?$/, 'a size such as "64MB", "512kB", "1GB"');
const duration = z.string().regex(/^(-1|0|\d{1,10}(us|ms|s|min|h|d)?)$/, 'a duration such as "30s", "500ms", "5min" (0 off, -1 where allowed)');
const onOff = z.enum(["on", "off"]);
const real = z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, 'a number such as "1.1"');

export const managedPostgresSettings = {
  work_mem: memory,
  maintenance_work_mem: memory,
  effective_cache_size: memory,
  statement_timeout: duration,
  lock_timeout: duration,
  idle_in_transaction_session_timeout: duration,
  log_min_duration_statement: duration,
  max_standby_streaming_delay: duration,
  wal_receiver_timeout: duration,
  random_page_cost: real,
  checkpoint_completion_target: real,
  synchronous_commit: z.enum(["on", "off", "local", "remote_write", "remote_apply"]),
  hot_standby_feedback: onOff,
  log_connections: onOff,
  log_disconnections: onOff,
} as const;

export type ManagedPostgresSetting = keyof typeof managedPostgresSettings;
export const managedPostgresSettingNames = Object.keys(managedPostgresSettings) as ManagedPostgresSetting[];

/**
 * A revision saved before the replication mode existed may name it: refused
 * with the reason (an old revision can no longer be deployed as it is; its
 * value stays on the server until the cluster's mode is set).
 */
const setPerCluster = z.never({ error: "set per cluster now: the cluster page's replication mode (synchronous replication), not a revision" }).optional();

export const postgresSettings = z.strictObject({
  settings: z.strictObject({
    ...(Object.fromEntries(Object.entries(managedPostgresSettings).map(([k, v]) => [k, v.optional()])) as {
      [K in ManagedPostgresSetting]: z.ZodOptional<(typeof managedPostgresSettings)[K]>;
    }),
    synchronous_standby_names: setPerCluster,
  }),
});
export type PostgresSettings = z.output<typeof postgresSettings>;
