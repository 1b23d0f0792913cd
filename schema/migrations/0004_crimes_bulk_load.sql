-- Crimes are only written by `crimemap import crimes`, which inserts a whole (force, month) at a
-- time from a staging table after making sure the force row and every snap location exist (and
-- `crimemap refresh` only deletes snap locations no crime uses, under the same advisory lock).
-- Per-row foreign-key triggers on those two columns cost more than the insert itself (a
-- FOR KEY SHARE lock on the referenced row for each of a million rows: 94 s -> 25 s for 1M rows),
-- so the loader guarantees them instead; tests/integration/import_crimes_test.cpp checks it.
ALTER TABLE crimes DROP CONSTRAINT IF EXISTS crimes_force_id_fkey;
ALTER TABLE crimes DROP CONSTRAINT IF EXISTS crimes_location_id_fkey;
