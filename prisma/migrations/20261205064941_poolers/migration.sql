-- AlterEnum
ALTER TYPE "SubjectType" ADD VALUE 'POOLER';

-- AlterTable
ALTER TABLE "AgentCredential" ADD COLUMN     "poolerId" TEXT;

-- CreateTable
CREATE TABLE "Pooler" (
    "id" TEXT NOT NULL,
    "clusterId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "agentUrl" TEXT,
    "health" "Health" NOT NULL DEFAULT 'UNKNOWN',
    "lastSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Pooler_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Pooler_clusterId_idx" ON "Pooler"("clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "Pooler_clusterId_name_key" ON "Pooler"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Pooler_clusterId_host_port_key" ON "Pooler"("clusterId", "host", "port");

-- CreateIndex
CREATE INDEX "AgentCredential_poolerId_idx" ON "AgentCredential"("poolerId");

-- AddForeignKey
ALTER TABLE "Pooler" ADD CONSTRAINT "Pooler_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentCredential" ADD CONSTRAINT "AgentCredential_poolerId_fkey" FOREIGN KEY ("poolerId") REFERENCES "Pooler"("id") ON DELETE CASCADE ON UPDATE CASCADE;
