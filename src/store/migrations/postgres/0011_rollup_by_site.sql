-- 11: nothing changes in PostgreSQL, whose per-site rollup already has its (site, day)
-- index beside the key (SQLite's migration 11 puts its rollup in site order). Kept so both
-- engines count alike.
SELECT 1;
