-- Batchwise schema, version 10: the inference stage. A run that starts on inference.requested holds tests first;
-- each test's answer is a list of atoms, which are published on atoms.inferred under the same runId once every test
-- has an outcome (stage INFERRING -> VERIFYING). The batch path serves both stages: a job says which one it is for,
-- and its items' atom_id column names what the item stands for in that stage (an atom, or a test).

create table inference_tests (
    id                     uuid primary key,
    run_id                 varchar(128) not null references reconciliation_runs (run_id) on delete cascade,
    test_id                varchar(256) not null,
    -- the test's place in the run (its part, then its place in the part), so its atoms are published in order
    part                   integer      not null check (part >= 1),
    position               integer      not null check (position >= 0),
    name                   text,
    context                text,
    -- the test as the producer sent it, so fields we do not model yet are not lost
    payload                jsonb        not null,
    -- the atoms read from the answer: [{"tempId", "description", "category"}]; null until the test has an outcome
    atoms                  jsonb,
    answer_source          varchar(16)  check (answer_source in ('BATCH', 'REALTIME', 'UNPARSEABLE', 'FAILED')),
    parse_issue            text,
    error                  text,
    answer_mode            varchar(16)  check (answer_mode in ('BATCH', 'REALTIME')),
    model                  varchar(128),
    input_tokens           bigint       not null default 0,
    output_tokens          bigint       not null default 0,
    cache_creation_tokens  bigint       not null default 0,
    cache_read_tokens      bigint       not null default 0,
    inferred_at            timestamptz,
    created_at             timestamptz  not null default now(),
    updated_at             timestamptz  not null default now(),
    constraint inference_tests_run_test_id_key unique (run_id, test_id)
) with (fillfactor = 80);
create index inference_tests_run_position_idx on inference_tests (run_id, part, position);

create table inference_parts (
    run_id        varchar(128) not null references reconciliation_runs (run_id) on delete cascade,
    part          integer      not null check (part >= 1),
    content_hash  varchar(64)  not null,
    test_count    integer      not null check (test_count >= 1),
    received_at   timestamptz  not null default now(),
    primary key (run_id, part)
);

-- the inference stage's own figures, kept when the run moves on to verifying (which chooses its own mode)
alter table reconciliation_runs
    add column test_count              integer not null default 0 check (test_count >= 0),
    add column inference_parts         integer check (inference_parts >= 1),
    add column inference_parts_received integer not null default 0 check (inference_parts_received >= 0),
    add column inference_mode          varchar(16) check (inference_mode in ('BATCH', 'REALTIME')),
    add column inference_mode_reason   text,
    add column inferred_at             timestamptz;

alter table batch_jobs
    add column stage varchar(16) not null default 'VERIFYING' check (stage in ('INFERRING', 'VERIFYING'));
-- a run's inference jobs and its verification jobs are numbered each from 0
alter table batch_jobs drop constraint batch_jobs_run_chunk_key;
alter table batch_jobs add constraint batch_jobs_run_stage_chunk_key unique (reconciliation_run_id, stage, chunk_index);
