-- Batchwise schema, version 2: what the durable batch lifecycle, the real-time path and the outbox need.

-- runs: the mode and why, the provider, a digest of the record (tells an identical redelivery from a
-- contradicting one), and the lease of the instance that runs a real-time run.
alter table reconciliation_runs
    add column mode_reason   text,
    add column provider      varchar(16) check (provider in ('ANTHROPIC', 'OPENAI')),
    add column content_hash  varchar(64),
    add column lease_token   uuid,
    add column lease_until   timestamptz;
create index reconciliation_runs_status_lease_idx on reconciliation_runs (status, lease_until);

-- atoms: an outcome is a score, an unparseable answer or a failed call; each with its reason
alter table atoms drop constraint atoms_score_source_check;
alter table atoms add constraint atoms_score_source_check
    check (score_source in ('BATCH', 'REALTIME', 'UNPARSEABLE', 'FAILED'));
alter table atoms
    add column parse_issue  text,
    add column error        text,
    add column scored_at    timestamptz;

-- jobs: who works on one now (claim_token, with next_poll_at as the lease), what the provider said last,
-- and the steps already done, so that any instance can take a job over after a crash.
alter table batch_jobs
    add column claim_token          uuid,
    add column provider_status      varchar(32),
    add column submit_attempts      integer not null default 0,
    add column submitting_at        timestamptz,
    add column cancel_requested_at  timestamptz,
    add column ended_at             timestamptz,
    add column collected_at         timestamptz;
create index batch_jobs_run_idx on batch_jobs (reconciliation_run_id);

alter table batch_items
    add column result_source varchar(16) check (result_source in ('BATCH', 'REALTIME'));

-- transactional outbox: a row is written in the transaction of the state change it announces and relayed
-- to Kafka afterwards. reconciliation.status rows carry no payload: the run's status is read when relayed.
create table outbox (
    id          bigserial    primary key,
    topic       varchar(128) not null,
    record_key  varchar(256) not null,
    payload     jsonb,
    created_at  timestamptz  not null default now()
);
