-- Batchwise schema, version 5: a run may arrive as several atoms.inferred records (parts), since a Kafka
-- record stays under 1 MiB.

-- runs: how many parts the run has and how many are stored; atom_count counts the atoms stored so far.
-- The run's digest moves to run_parts, one per part.
alter table reconciliation_runs
    add column parts           integer not null default 1 check (parts >= 1),
    add column parts_received  integer not null default 0 check (parts_received >= 0),
    add constraint reconciliation_runs_parts_received_at_most_parts check (parts_received <= parts),
    drop column content_hash;
-- rows written before V5 were whole runs, stored in one go
update reconciliation_runs set parts_received = 1;

-- one row per stored part: its digest tells an identical redelivery (a no-op) from a contradicting record
-- for the same part (dead-lettered), and the number of rows tells when the run is complete.
create table run_parts (
    run_id        varchar(128) not null references reconciliation_runs (run_id) on delete cascade,
    part          integer      not null check (part >= 1),
    content_hash  varchar(64)  not null,
    atom_count    integer      not null check (atom_count >= 1),
    received_at   timestamptz  not null default now(),
    primary key (run_id, part)
);

-- A run of 100,000 atoms is prepared in one transaction, 100,000 items. The item -> atom foreign key locked every
-- one of those atom rows (FOR KEY SHARE: a write to each atom's row, with its WAL record) to check what the same
-- transaction has just read. Items still go with their job (job_id's key, cascading), and jobs with their run.
alter table batch_items drop constraint batch_items_atom_id_fkey;
