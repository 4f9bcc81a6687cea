-- The admin socket and pidfile of an HAProxy are its agent's own paths now
-- (the agent's config file, written by the host's owner), no longer typed in
-- the console. Drop them from stored inputs so a new revision starts from a
-- valid draft. Each revision's content stays as it was deployed: it is the
-- record of what ran, and its checksum is what targets report.
UPDATE "ConfigRevision" SET "input" = "input" - 'runtime' WHERE "targetKind" = 'HAPROXY';
