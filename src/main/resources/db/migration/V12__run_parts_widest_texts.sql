-- A part's longest description and category, in octets, measured as its atoms are encoded for COPY: the run's
-- preparation takes the widest of its parts instead of scanning every atom of the run (25-50 ms for 100,000).
-- Null for parts stored before this migration; a run with such a part is measured from its atoms, as before.
alter table run_parts
    add column description_octets integer check (description_octets >= 0),
    add column category_octets    integer check (category_octets >= 0);
