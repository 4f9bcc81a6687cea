-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "progress" JSONB NOT NULL DEFAULT '{}';
