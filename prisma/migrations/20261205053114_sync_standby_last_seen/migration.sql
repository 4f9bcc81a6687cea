-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "syncStandby" TEXT;
