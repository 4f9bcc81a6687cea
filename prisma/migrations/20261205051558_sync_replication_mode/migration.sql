-- CreateEnum
CREATE TYPE "SyncMode" AS ENUM ('UNMANAGED', 'ASYNC', 'SYNC', 'QUORUM');

-- CreateEnum
CREATE TYPE "SyncOnLoss" AS ENUM ('WAIT', 'DEGRADE');

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "syncDegraded" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "syncMode" "SyncMode" NOT NULL DEFAULT 'UNMANAGED',
ADD COLUMN     "syncOnLoss" "SyncOnLoss" NOT NULL DEFAULT 'WAIT',
ADD COLUMN     "syncQuorum" INTEGER NOT NULL DEFAULT 1;
