-- Collecting updates every item once or twice. Without an index on status (the retrier's queries by job use
-- the (job_id, custom_id) key) and with room left on each page, PostgreSQL can update an item in place (a HOT
-- update) instead of writing a new row version and an entry in every index.
drop index batch_items_job_status_idx;
alter table batch_items set (fillfactor = 70);
