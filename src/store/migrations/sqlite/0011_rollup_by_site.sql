-- 11: the per-site rollup is kept in site order: (site, day, horror, source). One site's
-- reading (its control chart, its alerts, its ranking) is then one contiguous range of the
-- table instead of an index walk with a lookup per row, and every site's first day is a
-- seek per site. Readings of every site together read `daily_all`; readings grouped by site
-- seek each site's range. The (site, day) index becomes the key itself.
CREATE TABLE daily_in_site_order (
    site       TEXT NOT NULL,
    day        TEXT NOT NULL,
    horror_id  INTEGER NOT NULL REFERENCES horrors(id),
    source     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    cost_minor INTEGER NOT NULL,
    PRIMARY KEY (site, day, horror_id, source)
) WITHOUT ROWID;
INSERT INTO daily_in_site_order (site, day, horror_id, source, count, cost_minor)
    SELECT site, day, horror_id, source, count, cost_minor FROM daily;
DROP INDEX daily_by_site;
DROP TABLE daily;
ALTER TABLE daily_in_site_order RENAME TO daily;
