-- Batchwise schema, version 9: a job's items are written when it is claimed for submit, not when the run is
-- prepared. The last part of a 100,000-atom run wrote 100,000 items in its own transaction (about 10 s at
-- -Xmx512m, a third of the time between the last part and VERIFIED); now it writes 20 job rows, each with the
-- atoms it will hold, in item order, and the claim (PREPARED -> SUBMITTING) turns those into items and clears them.
alter table batch_jobs add column planned_atoms uuid[];
