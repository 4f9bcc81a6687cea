/*
  Warnings:

  - A unique constraint covering the columns `[claimHash]` on the table `Session` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "SessionKind" AS ENUM ('USER', 'DISPLAY');

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "claimExpiresAt" TIMESTAMP(3),
ADD COLUMN     "claimHash" TEXT,
ADD COLUMN     "kind" "SessionKind" NOT NULL DEFAULT 'USER',
ADD COLUMN     "label" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Session_claimHash_key" ON "Session"("claimHash");
