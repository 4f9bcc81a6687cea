-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "syncNamesSeen" TEXT;
