/*
  Warnings:

  - A unique constraint covering the columns `[oidcIssuer,oidcSubject]` on the table `User` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateEnum
CREATE TYPE "AuthSource" AS ENUM ('LOCAL', 'OIDC');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "authSource" "AuthSource" NOT NULL DEFAULT 'LOCAL',
ADD COLUMN     "oidcIssuer" TEXT,
ADD COLUMN     "oidcSubject" TEXT,
ALTER COLUMN "passwordHash" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");

-- Not expressible in schema.prisma (Prisma leaves CHECK constraints alone):
-- a local account always has a password and no OIDC identity; an SSO account
-- always has its (issuer, subject) and never a password.
ALTER TABLE "User" ADD CONSTRAINT "User_auth_source_check" CHECK (
  ("authSource" = 'LOCAL' AND "passwordHash" IS NOT NULL AND "oidcIssuer" IS NULL AND "oidcSubject" IS NULL)
  OR ("authSource" = 'OIDC' AND "passwordHash" IS NULL AND "oidcIssuer" IS NOT NULL AND "oidcSubject" IS NOT NULL)
);
