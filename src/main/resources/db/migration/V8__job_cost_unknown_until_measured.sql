-- Batchwise schema, version 8: a job's cost is measured when it is done (from its items' usage and the pricing
-- table). Until then, or when its model has no prices, it is unknown: null, not a made-up 0.
alter table batch_jobs
    alter column cost_usd drop not null,
    alter column cost_usd drop default,
    alter column realtime_cost_usd drop not null,
    alter column realtime_cost_usd drop default;
-- jobs written before V8 were never measured
update batch_jobs set cost_usd = null, realtime_cost_usd = null;
