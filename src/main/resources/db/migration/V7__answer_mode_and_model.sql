-- Batchwise schema, version 7: what an atom's answer is priced by. score_source says UNPARSEABLE for an unreadable
-- answer, which hides whether the batch or the real-time path produced (and billed) it: answer_mode keeps that.
-- model is the model the request used (the provider's configured model; AtomQualityService names none).
alter table atoms
    add column answer_mode  varchar(16) check (answer_mode in ('BATCH', 'REALTIME')),
    add column model        varchar(128);
-- answers written before V7: readable ones say their mode in score_source
update atoms set answer_mode = score_source where score_source in ('BATCH', 'REALTIME');
