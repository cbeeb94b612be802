-- Batchwise schema, version 6: what a status event needs to be ordered and placed.

-- status_seq: grows by one in the transaction of every status change of the run (Outbox.statusChanged), and every
-- reconciliation.status event and WebSocket snapshot carries it, so a client can drop what is older than what it has.
-- stage: which step of the pipeline the run is in (inference of atoms comes before their verification).
alter table reconciliation_runs
    add column status_seq  bigint      not null default 0 check (status_seq >= 0),
    add column stage       varchar(16) not null default 'VERIFYING' check (stage in ('INFERRING', 'VERIFYING'));
