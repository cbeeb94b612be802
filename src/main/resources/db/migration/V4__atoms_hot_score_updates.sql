-- Every atom gets its outcome written once, by the collector 500 at a time. An index holding quality_score
-- makes each of those writes a new row version plus an entry in all three of the table's indexes; without it,
-- and with room left on each page, PostgreSQL updates the row in place (HOT), which measured three times
-- cheaper. The review page reads a run's atoms by score 50 at a time: a top-N sort of one run's rows, found
-- through the (run_id, temp_id) key, costs less than the writes it saved.
drop index atoms_run_score_idx;
alter table atoms set (fillfactor = 70);
