-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "autoFailoverPaused" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastFailoverAt" TIMESTAMP(3);
