/*
  Warnings:

  - A unique constraint covering the columns `[scope,number]` on the table `ConfigRevision` will be added. If there are existing duplicate values, this will fail.
  - Added the required column `clusterId` to the `ConfigRevision` table without a default value. This is not possible if the table is not empty.
  - Added the required column `input` to the `ConfigRevision` table without a default value. This is not possible if the table is not empty.
  - Added the required column `scope` to the `ConfigRevision` table without a default value. This is not possible if the table is not empty.

*/
-- No release ever wrote configuration revisions or deployments (config push
-- starts with this migration), so there is nothing to carry over.
DELETE FROM "ConfigDeployment";
DELETE FROM "ConfigRevision";

-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'SKIPPED';

-- DropIndex
DROP INDEX "ConfigRevision_targetKind_number_key";

-- AlterTable
ALTER TABLE "ConfigDeployment" ADD COLUMN     "previousChecksum" TEXT,
ADD COLUMN     "previousContent" TEXT,
ADD COLUMN     "previousRevisionId" TEXT;

-- AlterTable
ALTER TABLE "ConfigRevision" ADD COLUMN     "clusterId" TEXT NOT NULL,
ADD COLUMN     "input" JSONB NOT NULL,
ADD COLUMN     "loadBalancerId" TEXT,
ADD COLUMN     "scope" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "ConfigTargetState" (
    "targetType" "SubjectType" NOT NULL,
    "targetId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "appliedRevisionId" TEXT,
    "appliedChecksum" TEXT,
    "appliedAt" TIMESTAMP(3),
    "reportedChecksum" TEXT,
    "reportedAt" TIMESTAMP(3),
    "driftSince" TIMESTAMP(3),

    CONSTRAINT "ConfigTargetState_pkey" PRIMARY KEY ("targetType","targetId")
);

-- CreateIndex
CREATE INDEX "ConfigTargetState_scope_idx" ON "ConfigTargetState"("scope");

-- CreateIndex
CREATE INDEX "ConfigRevision_clusterId_idx" ON "ConfigRevision"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigRevision_scope_number_key" ON "ConfigRevision"("scope", "number");

-- AddForeignKey
ALTER TABLE "ConfigRevision" ADD CONSTRAINT "ConfigRevision_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigRevision" ADD CONSTRAINT "ConfigRevision_loadBalancerId_fkey" FOREIGN KEY ("loadBalancerId") REFERENCES "LoadBalancer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
