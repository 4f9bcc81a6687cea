-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "cancelRequestedById" TEXT;

-- A cancel asked for before this release was patched into params: carry it
-- over so an operation in flight across the upgrade still stops.
UPDATE "Operation"
SET "cancelRequestedAt" = CASE WHEN "params"->>'cancelRequested' = 'true' THEN now() END,
    "params" = "params" - 'cancelRequested'
WHERE "params" ? 'cancelRequested';
