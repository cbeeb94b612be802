-- Batchwise schema, version 1: runs, atoms, batch jobs and their items, runtime LLM configuration.
-- Status columns are text checked against the Java enums' names; a new status needs a new migration.

create table reconciliation_runs (
    run_id        varchar(128) primary key,
    status        varchar(32)  not null default 'RECEIVED'
        check (status in ('RECEIVED', 'VERIFYING', 'BATCH_PROCESSING', 'VERIFIED', 'FAILED')),
    mode          varchar(16)
        check (mode in ('BATCH', 'REALTIME')),
    atom_count    integer      not null check (atom_count >= 0),
    options       jsonb,
    error         text,
    received_at   timestamptz  not null default now(),
    updated_at    timestamptz  not null default now(),
    completed_at  timestamptz
);

create table atoms (
    id                     uuid primary key,
    run_id                 varchar(128) not null references reconciliation_runs (run_id) on delete cascade,
    temp_id                varchar(256) not null,
    description            text         not null,
    category               varchar(128),
    -- the atom as the producer sent it, so fields we do not model yet are not lost
    payload                jsonb        not null,
    quality_score          integer      check (quality_score between 0 and 100),
    quality_issues         jsonb,
    score_source           varchar(16)  check (score_source in ('BATCH', 'REALTIME', 'UNPARSEABLE')),
    input_tokens           bigint       not null default 0,
    output_tokens          bigint       not null default 0,
    cache_creation_tokens  bigint       not null default 0,
    cache_read_tokens      bigint       not null default 0,
    created_at             timestamptz  not null default now(),
    updated_at             timestamptz  not null default now(),
    constraint atoms_run_temp_id_key unique (run_id, temp_id)
);
-- review page: a run's atoms sorted by quality score
create index atoms_run_score_idx on atoms (run_id, quality_score desc nulls last);

create table batch_jobs (
    id                     uuid primary key,
    provider_batch_id      varchar(128),
    provider               varchar(16)  not null check (provider in ('ANTHROPIC', 'OPENAI')),
    status                 varchar(16)  not null default 'PREPARED'
        check (status in ('PREPARED', 'SUBMITTING', 'SUBMITTED', 'PROCESSING', 'COLLECTING', 'COMPLETED',
                          'FAILED', 'EXPIRED', 'CANCELLED', 'TIMED_OUT')),
    reconciliation_run_id  varchar(128) references reconciliation_runs (run_id) on delete cascade,
    chunk_index            integer      not null default 0 check (chunk_index >= 0),
    total_requests         integer      not null check (total_requests >= 0),
    completed_requests     integer      not null default 0 check (completed_requests >= 0),
    failed_requests        integer      not null default 0 check (failed_requests >= 0),
    metadata               jsonb,
    created_at             timestamptz  not null default now(),
    submitted_at           timestamptz,
    completed_at           timestamptz,
    next_poll_at           timestamptz,
    timeout_at             timestamptz,
    poll_attempts          integer      not null default 0,
    last_error             text,
    input_tokens           bigint       not null default 0,
    output_tokens          bigint       not null default 0,
    cache_creation_tokens  bigint       not null default 0,
    cache_read_tokens      bigint       not null default 0,
    -- what the batch cost, and what the same tokens would have cost in real time
    cost_usd               numeric(14, 6) not null default 0,
    realtime_cost_usd      numeric(14, 6) not null default 0,
    updated_at             timestamptz  not null default now(),
    constraint batch_jobs_provider_batch_key unique (provider, provider_batch_id),
    constraint batch_jobs_run_chunk_key unique (reconciliation_run_id, chunk_index)
);
-- the poller claims due jobs: where status in (...) and next_poll_at <= now()
create index batch_jobs_status_next_poll_idx on batch_jobs (status, next_poll_at);

create table batch_items (
    id                     uuid primary key,
    job_id                 uuid         not null references batch_jobs (id) on delete cascade,
    custom_id              varchar(64)  not null check (custom_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    atom_id                uuid         references atoms (id) on delete cascade,
    status                 varchar(16)  not null default 'PENDING'
        check (status in ('PENDING', 'SUCCEEDED', 'ERRORED', 'RETRYING', 'FAILED')),
    error_type             varchar(64),
    error                  text,
    attempts               integer      not null default 0 check (attempts >= 0),
    input_tokens           bigint       not null default 0,
    output_tokens          bigint       not null default 0,
    cache_creation_tokens  bigint       not null default 0,
    cache_read_tokens      bigint       not null default 0,
    created_at             timestamptz  not null default now(),
    updated_at             timestamptz  not null default now(),
    constraint batch_items_job_custom_id_key unique (job_id, custom_id)
);
create index batch_items_job_status_idx on batch_items (job_id, status);
create index batch_items_atom_idx on batch_items (atom_id);

-- runtime overrides of the batch.* / llm.* configuration, e.g. name 'default':
-- {"batch": {"enabled": true, "threshold": 20, "pollIntervalMs": 30000, "timeoutMs": 3600000}}
create table llm_configurations (
    name        varchar(64) primary key,
    config      jsonb       not null check (jsonb_typeof(config) = 'object'),
    updated_at  timestamptz not null default now()
);
