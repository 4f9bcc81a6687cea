-- The split-brain guard's marker ("a former primary that must not take
-- writes") moves out of the observed replication state into its own field,
-- so the monitor can write what it observes without clearing the marker.

-- CreateEnum
CREATE TYPE "FenceState" AS ENUM ('NONE', 'FENCED', 'NEEDS_REBUILD');

-- AlterTable
ALTER TABLE "DatabaseInstance" ADD COLUMN     "fence" "FenceState" NOT NULL DEFAULT 'NONE';

-- Data: every member marked for rebuild keeps that mark in the new field.
UPDATE "DatabaseInstance" SET "fence" = 'NEEDS_REBUILD', "replicationState" = 'UNKNOWN' WHERE "replicationState" = 'NEEDS_REBUILD';

-- AlterEnum
BEGIN;
CREATE TYPE "ReplicationState_new" AS ENUM ('STREAMING', 'CATCHUP', 'STOPPED', 'UNKNOWN');
ALTER TABLE "public"."DatabaseInstance" ALTER COLUMN "replicationState" DROP DEFAULT;
ALTER TABLE "DatabaseInstance" ALTER COLUMN "replicationState" TYPE "ReplicationState_new" USING ("replicationState"::text::"ReplicationState_new");
ALTER TYPE "ReplicationState" RENAME TO "ReplicationState_old";
ALTER TYPE "ReplicationState_new" RENAME TO "ReplicationState";
DROP TYPE "public"."ReplicationState_old";
ALTER TABLE "DatabaseInstance" ALTER COLUMN "replicationState" SET DEFAULT 'UNKNOWN';
COMMIT;
